export type {
  BotIdentity,
  ChannelAdapter,
  IngressHandler,
  SendOptions,
} from './channel-adapter.ts';
export { type NormalizeResult, normalizeTelegramUpdate } from './telegram/normalize-update.ts';
export { TelegramAdapter, type TelegramAdapterOptions } from './telegram/telegram-adapter.ts';
export { escapeTelegramHtml, markdownToTelegramHtml } from './telegram/telegram-html.ts';
