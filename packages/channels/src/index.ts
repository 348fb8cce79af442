/**
 * What every channel shares, and the web channel. The platform adapters load their SDKs,
 * so they have entry points of their own: `@gridbot/channels/telegram`, `…/discord`.
 */
export { abortableSleep } from './abortable-sleep.ts';
export type {
  BotIdentity,
  ChannelAdapter,
  DraftSurface,
  FetchedFile,
  IngressHandler,
  OutboundDocument,
  PlaceholderSurface,
  SendOptions,
  TypingIndicator,
} from './channel-adapter.ts';
export { DraftPlaceholders } from './draft-placeholders.ts';
export { KeyedOrder } from './keyed-order.ts';
export { LeasedReceiver, type Receiver } from './leased-receiver.ts';
export type { HeldReceiveLease, ReceiveLease } from './receive-lease.ts';
export { type ReplyListener, WebAdapter, type WebAdapterOptions } from './web/web-adapter.ts';
export {
  MAX_WEB_UPLOADS,
  type WebDraft,
  type WebLiveEvent,
  type WebReply,
  type WebTyping,
  type WebUpdate,
  type WebUpload,
  webIdSchema,
  webMessageUpdateSchema,
  webReplySchema,
  webUpdateSchema,
} from './web/web-update.ts';
export { WebUploads } from './web/web-uploads.ts';
