export type {
  BotIdentity,
  ChannelAdapter,
  IngressHandler,
  SendOptions,
} from './channel-adapter.ts';
export { DiscordAdapter, type DiscordAdapterOptions } from './discord/discord-adapter.ts';
export {
  formatDiscordMessage,
  type MassMentionGuard,
  markdownToDiscord,
} from './discord/discord-markdown.ts';
export {
  type DiscordChannelInfo,
  type DiscordNormalizeContext,
  type DiscordNormalizeResult,
  normalizeDiscordDispatch,
} from './discord/normalize-message.ts';
export { discordTarget } from './discord/send-text.ts';
export { KeyedOrder } from './keyed-order.ts';
export { type NormalizeResult, normalizeTelegramUpdate } from './telegram/normalize-update.ts';
export { TelegramAdapter, type TelegramAdapterOptions } from './telegram/telegram-adapter.ts';
export { escapeTelegramHtml, markdownToTelegramHtml } from './telegram/telegram-html.ts';
export { type ReplyListener, WebAdapter, type WebAdapterOptions } from './web/web-adapter.ts';
export {
  type WebReply,
  type WebUpdate,
  webIdSchema,
  webMessageUpdateSchema,
  webReplySchema,
  webUpdateSchema,
} from './web/web-update.ts';
