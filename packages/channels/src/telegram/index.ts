/** The Telegram channel (grammY), imported on its own so other roles never load it. */
export { type NormalizeResult, normalizeTelegramUpdate } from './normalize-update.ts';
export { TelegramAdapter, type TelegramAdapterOptions } from './telegram-adapter.ts';
export { escapeTelegramHtml, markdownToTelegramHtml } from './telegram-html.ts';
export { webhookSecretFor } from './webhook-secret.ts';
