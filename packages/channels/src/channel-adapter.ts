import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  ActionAnswer,
  Attachment,
  InboundAction,
  InboundEvent,
  Jid,
  MessageAction,
} from '@gridbot/core';

/**
 * Receives every normalized event. It resolves only after the event is committed to the
 * database; if it throws, the adapter must not acknowledge the update to the platform
 * (so the platform redelivers it).
 */
export type IngressHandler = (event: InboundEvent) => Promise<void>;

/** Options of one outgoing chunk. */
export interface SendOptions {
  /** Platform message id to reply to, or null. */
  replyTo: string | null;
  /**
   * Buttons under this chunk (the last of its message); a press comes back as an
   * `InboundAction` whose `data` is the button's id. An adapter without buttons ignores them.
   */
  actions?: readonly MessageAction[];
  /**
   * The same for every attempt at this chunk (at most 25 characters). A platform that
   * dedupes sends by a client key (Discord's `nonce` with `enforce_nonce`) creates the
   * message once, however often a crash between sending and recording makes it retried.
   */
  idempotencyKey?: string;
}

/** A file to post in a chat (a history export), with an optional caption. */
export interface OutboundDocument {
  /**
   * Stable id of this document (its outbox row): a platform that serves files by link (the
   * web chat) names it so the file can be fetched later.
   */
  id: string;
  fileName: string;
  mimeType: string;
  data: Uint8Array;
  /** Text shown with the file (plain, cut to the platform's caption limit), or null. */
  caption: string | null;
}

/**
 * The platform's "typing…" state. One `show` lasts about `intervalMs`; the gateway calls it
 * again at that pace while a run works in the chat, and stops calling when it ends.
 */
export interface TypingIndicator {
  readonly intervalMs: number;
  show(jid: Jid): Promise<void>;
  /** Clears it at once, on a platform that can (the web chat); others let it lapse. */
  clear?(jid: Jid): Promise<void>;
}

/** A downloaded file: its bytes and the type the platform gave it. */
export interface FetchedFile {
  data: Uint8Array;
  mimeType: string | null;
}

/**
 * Where a platform shows the reply while the model writes it. `show` gets the text so far
 * (at the worker's pace, about once a second); `end` comes when the run ended, after which
 * the final reply arrives through the outbox as always.
 */
export interface DraftSurface {
  show(jid: Jid, text: string): Promise<void>;
  end(jid: Jid): Promise<void>;
}

/**
 * The placeholder message a streamed reply was drafted in (Telegram groups, Discord), which
 * the reply's first chunk replaces instead of arriving as a new message.
 */
export interface PlaceholderSurface {
  /** The placeholder of the chat's last run, taken once; null when there is none. */
  take(jid: string): Promise<string | null>;
  /**
   * Edits the placeholder into one chunk of the reply, formatted as `sendText` would send
   * it. Idempotent: editing it to the text it has already is no error.
   */
  finish(jid: Jid, platformMessageId: string, text: string, options: SendOptions): Promise<void>;
}

/** The bot's identity on its platform, known after `start()`. */
export interface BotIdentity {
  id: string;
  username: string | null;
}

/**
 * One platform connection (a bot account). Polling, webhooks and tests all feed raw
 * updates through `handleUpdate`; egress sends pre-chunked text through `sendText`.
 */
export interface ChannelAdapter {
  /** The JID prefix, e.g. `telegram`. */
  readonly channel: string;
  /**
   * Whether the platform delivers an update again until it is acknowledged (Telegram). A
   * platform that does not (Discord, the web chat) gets the gateway's disk spool, so an
   * event that cannot be committed while Postgres is away is kept rather than dropped.
   */
  readonly redelivers: boolean;
  /** Largest text one platform message may hold (UTF-16 units). */
  readonly maxMessageLength: number;
  /** Largest file `sendDocument` may post on this platform (bytes). */
  readonly maxDocumentBytes: number;
  /** Connects to the platform (identity, webhook or polling) and starts delivering events. */
  start(onEvent: IngressHandler): Promise<void>;
  /** Stops receiving; safe to call twice. */
  stop(): Promise<void>;
  /** Normalizes one raw platform update and passes it to the handler given to `start`. Malformed or unsupported updates are logged and skipped, never thrown. */
  handleUpdate(update: unknown): Promise<void>;
  /**
   * Sends one chunk (already at most `maxMessageLength`) and returns the platform message id.
   * Throws `PlatformRateLimitError` when the platform asks to slow down.
   */
  sendText(jid: Jid, text: string, options: SendOptions): Promise<string>;
  /**
   * Posts one file (at most `maxDocumentBytes`) with its caption and returns the platform
   * message id. Throws `PlatformRateLimitError` when the platform asks to slow down.
   */
  sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string>;
  /**
   * Answers a button press: shows `answer.text` to the person who pressed and, when
   * `answer.edit` is set, replaces the pressed message's text with it and removes its
   * buttons. Called once per press the gateway handled; a platform that refuses (a press
   * answered already, after a redelivery) is logged, never thrown.
   */
  answerAction(action: InboundAction, answer: ActionAnswer): Promise<void>;
  /**
   * Downloads a file a person sent (an attachment of an inbound message), where the platform
   * lets the bot: Telegram `getFile`, Discord's CDN URL, WhatsApp's media URL.
   */
  fetchAttachment?(attachment: Attachment): Promise<FetchedFile>;
  /** The platform's typing state, where it has one. */
  readonly typing?: TypingIndicator;
  /** Where streamed replies show as they are written, on a platform that shows them. */
  readonly drafts?: DraftSurface;
  /** Where a drafted reply's placeholder message becomes the reply (see egress). */
  readonly placeholders?: PlaceholderSurface;
  /** In webhook mode, the HTTP handler the process mounts at `webhookPath`; otherwise null. */
  readonly webhook: {
    path: string;
    handler: (req: IncomingMessage, res: ServerResponse) => void;
  } | null;
  /** The bot's identity; throws before `start()`. */
  identity(): BotIdentity;
}
