import { createHmac } from 'node:crypto';

/**
 * The webhook's secret token when the operator set none: derived from the bot token, so
 * every gateway replica registers and checks the same one, nobody without the token can
 * compute it, and it is never stored or printed. 43 characters of Telegram's allowed
 * alphabet (A-Z, a-z, 0-9, `_`, `-`).
 */
export function webhookSecretFor(botToken: string): string {
  return createHmac('sha256', botToken)
    .update('gridbot telegram webhook secret')
    .digest('base64url');
}
