import { describe, expect, it } from 'vitest';
import { webhookSecretFor } from './webhook-secret.ts';

describe('webhookSecretFor', () => {
  it('is the same for every replica of a bot, differs between bots, and fits Telegram', () => {
    const secret = webhookSecretFor('123456:ABC-token');
    expect(webhookSecretFor('123456:ABC-token')).toBe(secret);
    expect(webhookSecretFor('123456:ABD-token')).not.toBe(secret);
    // setWebhook's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(secret).not.toContain('ABC-token');
  });
});
