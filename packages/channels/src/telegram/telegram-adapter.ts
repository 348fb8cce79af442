import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import { Api } from 'grammy';
import type { Logger } from 'pino';
import type {
  BotIdentity,
  ChannelAdapter,
  DraftSurface,
  FetchedFile,
  IngressHandler,
  OutboundDocument,
  PlaceholderSurface,
  SendOptions,
  TypingIndicator,
} from '../channel-adapter.ts';
import { DraftPlaceholders } from '../draft-placeholders.ts';
import { fetchFile } from '../fetch-file.ts';
import { KeyedOrder } from '../keyed-order.ts';
import { LeasedReceiver, type Receiver } from '../leased-receiver.ts';
import type { ReceiveLease } from '../receive-lease.ts';
import { answerTelegramAction } from './answer-action.ts';
import { normalizeTelegramUpdate } from './normalize-update.ts';
import { ALLOWED_UPDATES, TelegramPoller } from './poller.ts';
import { sendTelegramDocument, TELEGRAM_MAX_DOCUMENT_BYTES } from './send-document.ts';
import { editTelegramText, sendTelegramText, telegramTarget } from './send-text.ts';
import { createWebhookHandler } from './webhook-handler.ts';

/** Options of a {@link TelegramAdapter}; the app maps its environment into these. */
export interface TelegramAdapterOptions {
  /** Bot token from BotFather. Never logged. */
  token: string;
  /** Draft streamed replies in groups in a placeholder message the reply replaces. Default false. */
  placeholderDrafts?: boolean;
  /** Bot API root, e.g. `https://api.telegram.org`, or a local fake server. */
  apiRoot: string;
  /** `polling`: this adapter calls `getUpdates`; `webhook`: Telegram POSTs to `webhook.url`. */
  mode: 'polling' | 'webhook';
  /**
   * Required in webhook mode: the public URL, its secret token (required: without it anyone
   * who finds the URL could post updates as any user; see `webhookSecretFor`) and the local
   * mount path.
   */
  webhook?: { url: string; secret: string; path: string };
  /** Pause after an empty `getUpdates`; 0 in production (long polling waits server-side). */
  emptyPollDelayMs?: number;
  /** Long-polling timeout in seconds (default 30). */
  pollTimeoutSec?: number;
  /**
   * Polling mode with several gateways on one bot: only the holder polls (Telegram answers
   * two pollers with 409 Conflict); the others send replies and stand by. None: always poll.
   */
  receiveLease?: ReceiveLease;
  logger: Logger;
}

type WebhookEndpoint = {
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
};

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * The Telegram channel: receives updates by long polling or webhook, normalizes them to
 * inbound events, and sends replies as Telegram HTML. An update is acknowledged to Telegram
 * only after the ingress handler resolved for it.
 */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = 'telegram';
  readonly maxMessageLength = 4096;
  readonly maxDocumentBytes = TELEGRAM_MAX_DOCUMENT_BYTES;
  /** The handler to mount at `webhook.path` in webhook mode; null in polling mode. */
  /** Telegram redelivers every update until its offset is confirmed or its webhook answers 200. */
  readonly redelivers = true;
  readonly webhook: WebhookEndpoint | null;

  readonly #options: TelegramAdapterOptions;
  readonly #api: Api;
  /** The draft id of each private chat's reply being written (one at a time per chat). */
  readonly #draftIds = new Map<string, number>();
  readonly #placeholders = new DraftPlaceholders();
  readonly #logger: Logger;
  #identity: BotIdentity | null = null;
  readonly #byChat = new KeyedOrder();
  #onEvent: IngressHandler | null = null;
  #receiver: Receiver | LeasedReceiver | null = null;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(options: TelegramAdapterOptions) {
    if (options.mode === 'webhook') {
      if (options.webhook === undefined) {
        throw new GridBotError('Telegram webhook mode needs `webhook: { url, secret, path }`.');
      }
      const { secret } = options.webhook;
      if (!SECRET_TOKEN.test(secret)) {
        throw new GridBotError(
          'The Telegram webhook secret must be 1-256 characters of A-Z, a-z, 0-9, "_" or "-".',
        );
      }
    }
    this.#options = options;
    this.#logger = options.logger.child({ component: 'telegram-adapter' });
    this.#api = new Api(options.token, { apiRoot: options.apiRoot });
    this.webhook =
      options.mode === 'webhook' && options.webhook !== undefined
        ? {
            path: options.webhook.path,
            handler: createWebhookHandler({
              secret: options.webhook.secret,
              accepting: () => this.#state === 'running',
              // Telegram may deliver several updates at once: a chat's updates are committed
              // in arrival order, different chats at the same time.
              handleUpdate: (update) =>
                this.#byChat.run(chatKeyOf(update), () => this.handleUpdate(update)),
              logger: this.#logger,
            }),
          }
        : null;
  }

  /**
   * Learns the bot's identity (`getMe`), then starts delivering events to `onEvent`:
   * polling mode removes any webhook and starts the `getUpdates` loop; webhook mode
   * registers `webhook.url` with Telegram. Throws if Telegram cannot be reached or
   * refuses the token.
   */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new') {
      throw new GridBotError(`TelegramAdapter.start() called twice (state: ${this.#state}).`);
    }
    this.#state = 'starting';
    this.#onEvent = onEvent;
    try {
      const me = await this.#api.getMe();
      this.#identity = { id: String(me.id), username: me.username ?? null };
      if (this.#options.mode === 'polling') {
        await this.#api.deleteWebhook({ drop_pending_updates: false });
      } else if (this.#options.webhook !== undefined) {
        const { url, secret } = this.#options.webhook;
        await this.#api.setWebhook(url, {
          allowed_updates: [...ALLOWED_UPDATES],
          secret_token: secret,
        });
      }
    } catch (error) {
      this.#identity = null;
      if (this.#state === 'starting') this.#state = 'new';
      throw new GridBotError(
        `Could not connect to the Telegram Bot API at ${this.#options.apiRoot}: check the bot token, the API root and the network.`,
        { cause: error },
      );
    }
    // stop() may have been called while connecting.
    if (this.#state !== 'starting') return;
    this.#state = 'running';
    if (this.#options.mode === 'polling') {
      const poll = (): Receiver => {
        const poller = new TelegramPoller({
          api: this.#api,
          deliver: (update) => this.handleUpdate(update),
          logger: this.#logger,
          pollTimeoutSec: this.#options.pollTimeoutSec ?? 30,
          emptyPollDelayMs: this.#options.emptyPollDelayMs ?? 0,
        });
        poller.start();
        return poller;
      };
      const lease = this.#options.receiveLease;
      this.#receiver = lease ? new LeasedReceiver(lease, poll, this.#logger) : poll();
    }
    const identity = this.#identity;
    this.#logger.info(
      { botId: identity?.id, username: identity?.username, mode: this.#options.mode },
      'telegram adapter started',
    );
  }

  /** Stops polling (aborting the in-flight request) and refuses further webhook calls. Safe to call twice. */
  async stop(): Promise<void> {
    this.#state = 'stopped';
    const receiver = this.#receiver;
    this.#receiver = null;
    await receiver?.stop();
  }

  /**
   * Normalizes one raw update and passes the event to the ingress handler. Unsupported
   * updates are skipped, malformed ones logged and skipped; only a failing ingress handler
   * makes it throw (so the update is not acknowledged).
   */
  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    const identity = this.#identity;
    if (onEvent === null || identity === null) {
      throw new GridBotError('TelegramAdapter.handleUpdate() called before start() finished.');
    }
    const result = normalizeTelegramUpdate(update, identity);
    if (result.outcome === 'invalid') {
      this.#logger.warn(
        { updateId: result.updateId, reason: result.reason },
        `skipping malformed telegram update${result.updateId === null ? '' : ` ${result.updateId}`}: ${result.reason}`,
      );
      return;
    }
    if (result.outcome === 'ignored') {
      this.#logger.debug(
        { updateId: result.updateId, reason: result.reason },
        'ignoring telegram update',
      );
      return;
    }
    await onEvent(result.event);
  }

  /** Sends one chunk (at most 4096 characters) formatted as Telegram HTML; see {@link sendTelegramText}. */
  sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    return sendTelegramText(this.#api, jid, text, options, this.#logger);
  }

  /** Uploads one file with `sendDocument`; see {@link sendTelegramDocument}. */
  sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    return sendTelegramDocument(this.#api, jid, document, options);
  }

  /** Answers a press with `answerCallbackQuery` and edits its message; see {@link answerTelegramAction}. */
  answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    return answerTelegramAction(this.#api, action, answer, this.#logger);
  }

  /**
   * Downloads a file a person sent: `getFile` names its path, fetched from
   * `<apiRoot>/file/bot<token>/<path>` (bots may download files of up to 20 MB).
   */
  async fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    const file = await this.#api.getFile(attachment.platformFileId);
    if (!file.file_path) {
      throw new GridBotError(`Telegram named no path for file ${attachment.platformFileId}.`);
    }
    const root = this.#options.apiRoot.replace(/\/+$/, '');
    const fetched = await fetchFile(
      `${root}/file/bot${this.#options.token}/${file.file_path}`,
      `Telegram file ${attachment.platformFileId}`,
    );
    return { ...fetched, mimeType: attachment.mimeType ?? fetched.mimeType };
  }

  /**
   * The reply as the model writes it, in private chats: `sendMessageDraft` (Bot API 9.5),
   * an animated preview that is no message and lapses by itself; the final reply is sent
   * as always. Groups show typing only (editing a placeholder comes later).
   */
  readonly drafts: DraftSurface = {
    show: async (jid, text) => {
      const { chatId, threadId } = telegramTarget(jid);
      const preview = text.slice(0, 4000);
      const topic = threadId !== undefined ? { message_thread_id: threadId } : {};
      if (chatId > 0) {
        let draftId = this.#draftIds.get(jid);
        if (draftId === undefined) {
          draftId = (Date.now() % 2_000_000_000) + 1;
          this.#draftIds.set(jid, draftId);
        }
        await this.#api.sendMessageDraft(chatId, draftId, preview, topic);
        return;
      }
      // Groups: one placeholder message, edited as the reply grows (plain text: a half-
      // written reply is no valid markup), which the reply's first chunk then replaces.
      if (!this.#options.placeholderDrafts) return;
      await this.#placeholders.show(
        jid,
        async () =>
          String(
            (
              await this.#api.sendMessage(chatId, `${preview} …`, {
                ...topic,
                link_preview_options: { is_disabled: true },
              })
            ).message_id,
          ),
        async (messageId) => {
          await this.#api.editMessageText(chatId, Number(messageId), `${preview} …`, {
            link_preview_options: { is_disabled: true },
          });
        },
      );
    },
    end: async (jid) => {
      this.#draftIds.delete(jid);
      this.#placeholders.end(jid);
    },
  };

  /** A group's streamed reply takes over its placeholder; see {@link editTelegramText}. */
  readonly placeholders: PlaceholderSurface = {
    take: (jid) => this.#placeholders.take(jid),
    finish: (jid, messageId, text, options) =>
      editTelegramText(this.#api, jid, messageId, text, options),
  };

  /** "typing…" with `sendChatAction`; it shows for 5 s or until the bot's next message. */
  readonly typing: TypingIndicator = {
    intervalMs: 4_000,
    show: async (jid) => {
      const { chatId, threadId } = telegramTarget(jid);
      await this.#api.sendChatAction(
        chatId,
        'typing',
        threadId === undefined ? {} : { message_thread_id: threadId },
      );
    },
  };

  /** The bot's id and username; throws before `start()` has finished. */
  identity(): BotIdentity {
    if (this.#identity === null) {
      throw new GridBotError(
        'The Telegram bot identity is not known yet: call `await adapter.start(onEvent)` first.',
      );
    }
    return this.#identity;
  }
}

/** The chat an update belongs to, for ordering; updates without one share a key. */
function chatKeyOf(update: unknown): string {
  if (typeof update !== 'object' || update === null) return 'none';
  const query = (update as { callback_query?: { message?: unknown } }).callback_query;
  const holders = { ...update, ...(query && { callback_message: query.message }) };
  for (const field of [
    'message',
    'edited_message',
    'channel_post',
    'edited_channel_post',
    'callback_message',
  ]) {
    const chat = (holders as Record<string, { chat?: { id?: unknown } } | undefined>)[field]?.chat;
    if (chat && (typeof chat.id === 'number' || typeof chat.id === 'string'))
      return String(chat.id);
  }
  return 'none';
}
