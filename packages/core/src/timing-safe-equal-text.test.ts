import { describe, expect, it } from 'vitest';
import { timingSafeEqualText } from './timing-safe-equal-text.ts';

describe('timingSafeEqualText', () => {
  it('accepts only the exact string, whatever the lengths', () => {
    const token = 'a-long-dashboard-token-0123456789';
    expect(timingSafeEqualText(token, token)).toBe(true);
    expect(timingSafeEqualText(`${token}x`, token)).toBe(false);
    expect(timingSafeEqualText(token.slice(0, -1), token)).toBe(false);
    expect(timingSafeEqualText('', token)).toBe(false);
    expect(timingSafeEqualText(token.toUpperCase(), token)).toBe(false);
    expect(timingSafeEqualText('é', 'é')).toBe(true);
  });
});
