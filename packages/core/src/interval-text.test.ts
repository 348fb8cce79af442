import { describe, expect, it } from 'vitest';
import { intervalText } from './interval-text.ts';

describe('intervalText', () => {
  it('says an interval as people say it', () => {
    expect(intervalText(3_600_000)).toBe('every hour');
    expect(intervalText(7_200_000)).toBe('every 2 hours');
    expect(intervalText(5_400_000)).toBe('every 90 minutes');
    expect(intervalText(86_400_000)).toBe('every day');
    expect(intervalText(30_000)).toBe('every 30 seconds');
    expect(intervalText(1_500)).toBe('every 1500 ms');
  });
});
