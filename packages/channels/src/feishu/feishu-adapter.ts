import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { requiredOption, withStartTimeout } from '../adapter-options.ts';
import type {
  BotIdentity,
  ChannelAdapter,
  FetchedFile,
  IngressHandler,
  OutboundDocument,
  SendOptions,
} from '../channel-adapter.ts';
import { OrderedDelivery, type RetryPolicy } from '../ordered-delivery.ts';
import { FeishuApi } from './feishu-api.ts';
import { card, outgoingContent } from './feishu-content.ts';
import { FeishuDirectory } from './feishu-directory.ts';
import { targetOf } from './feishu-ids.ts';
import { feishuWebhookHandler } from './feishu-webhook.ts';
import { normalizeFeishuEvent } from './normalize-event.ts';

/** Options of a {@link FeishuAdapter}; the app maps its environment into these. */
export interface FeishuAdapterOptions {
  /** The app's App ID (`cli_…`). */
  appId: string;
  /** The app's App Secret. Never logged. */
  appSecret: string;
  /** `feishu` (open.feishu.cn, default), `lark` (open.larksuite.com), or another root URL. */
  domain?: string;
  /** `websocket` (default): the SDK's long connection, no public URL. `http`: the event callback at `eventsPath`. */
  mode?: 'websocket' | 'http';
  /** Required in `http` mode: the callback's Verification Token and Encrypt Key (Events & Callbacks → Encryption Strategy). */
  verificationToken?: string;
  encryptKey?: string;
  /** Path of the event callback in `http` mode. Default `/feishu/events`. */
  eventsPath?: string;
  logger: Logger;
  ingressRetry?: RetryPolicy;
  /** Pause of the outbound queue on a frequency limit Feishu does not time. Default 1 s. */
  rateLimitPauseMs?: number;
  /** How long `start()` waits for Feishu. Default 30 s. */
  startTimeoutMs?: number;
}

type Rec = Record<string, unknown>;
const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4_000 };
const MAX_FILE_BYTES = 30 * 1024 * 1024;
const EVENT_TYPES = [
  'im.message.receive_v1',
  'im.message.updated_v1',
  'im.message.recalled_v1',
  'card.action.trigger',
];

const chatKeyOf = (event: Rec): string => {
  const message = event.message as Rec | undefined;
  const context = event.context as Rec | undefined;
  return String(message?.chat_id ?? context?.open_chat_id ?? 'unknown');
};

/** The domain the SDK takes: its constants for Feishu and Lark, or the URL as given. */
function domainOf(domain: string | undefined): string | lark.Domain {
  if (domain === undefined || domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

/**
 * The Feishu (Lark) channel, with `@larksuiteoapi/node-sdk`: events over the SDK's long
 * connection (`WSClient`, no public URL) or the HTTP event callback (signature, encryption
 * and verification token checked: without them the adapter does not start). Every event
 * goes through {@link FeishuAdapter.handleUpdate}, one at a time per chat in arrival order,
 * and is acknowledged (the long connection's answer, the callback's 200) only once it was
 * kept; Feishu delivers an unacknowledged event again and ingress stores a message once.
 * Replies go out with `im.v1.message.create` / `reply` (text, `post` for Markdown, a card
 * with buttons for approvals), each chunk with a `uuid` so a retried send is not doubled.
 *
 * JIDs: `feishu:<chat_id>`; a topic thread is `feishu:<chat_id>:<root message id>`.
 */
export class FeishuAdapter implements ChannelAdapter {
  readonly channel = 'feishu';
  /** Characters per message: Feishu takes a post or card of 30 KB (three bytes per CJK character). */
  readonly maxMessageLength = 4000;
  readonly maxDocumentBytes = MAX_FILE_BYTES;
  /** Events are acknowledged after the gateway kept them (Postgres or its spool). */
  readonly redelivers = false;
  readonly webhook: {
    path: string;
    handler: (req: IncomingMessage, res: ServerResponse) => void;
  } | null;

  readonly #o: FeishuAdapterOptions;
  readonly #appId: string;
  readonly #appSecret: string;
  readonly #domain: string | lark.Domain;
  readonly #logger: Logger;
  readonly #api: FeishuApi;
  readonly #directory: FeishuDirectory;
  readonly #delivery = new OrderedDelivery();
  readonly #retry: RetryPolicy;
  #ws: lark.WSClient | null = null;
  #identity: BotIdentity | null = null;
  #onEvent: IngressHandler | null = null;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: FeishuAdapterOptions) {
    this.#o = options;
    this.#appId = requiredOption(
      options.appId,
      /^cli_[A-Za-z0-9]{8,32}$/,
      'The Feishu App ID is missing or malformed: pass the app’s App ID (cli_…) from Credentials & Basic Info.',
    );
    this.#appSecret = requiredOption(
      options.appSecret,
      /^[A-Za-z0-9_-]{8,128}$/,
      'The Feishu App Secret is missing or malformed: pass the app’s App Secret.',
    );
    this.#domain = domainOf(options.domain);
    this.#logger = options.logger.child({ component: 'feishu-adapter' });
    this.#retry = options.ingressRetry ?? DEFAULT_RETRY;
    this.#api = new FeishuApi({
      appId: this.#appId,
      appSecret: this.#appSecret,
      domain: this.#domain,
      logger: this.#logger,
      rateLimitPauseMs: options.rateLimitPauseMs ?? 1_000,
    });
    this.#directory = new FeishuDirectory(this.#api, this.#appId);
    if ((options.mode ?? 'websocket') === 'http') {
      const verificationToken = requiredOption(
        options.verificationToken,
        /^\S{8,128}$/,
        'Feishu’s HTTP callback mode needs the Verification Token (Events & Callbacks → Encryption Strategy): without it events cannot be checked.',
      );
      const encryptKey = requiredOption(
        options.encryptKey,
        /^\S{8,128}$/,
        'Feishu’s HTTP callback mode needs the Encrypt Key (Events & Callbacks → Encryption Strategy): without it events cannot be checked.',
      );
      this.webhook = {
        path: options.eventsPath ?? '/feishu/events',
        handler: feishuWebhookHandler({
          verificationToken,
          encryptKey,
          logger: this.#logger,
          receive: (event) => this.#receive(event),
        }),
      };
    } else this.webhook = null;
  }

  /** Reads the bot's identity (a refused App ID or Secret fails here) and, in websocket mode, opens the long connection. */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new')
      throw new GridBotError(`FeishuAdapter.start() called twice (state: ${this.#state}).`);
    this.#onEvent = onEvent;
    try {
      await withStartTimeout(this.#connect(), this.#o.startTimeoutMs ?? 30_000, 'Feishu');
    } catch (error) {
      await this.stop();
      throw new GridBotError(
        `Could not connect to Feishu: ${(error as Error).message}. Check FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_DOMAIN and the network.`,
        { cause: error },
      );
    }
    this.#state = 'running';
    this.#logger.info(
      { bot: this.#identity?.id, mode: this.webhook ? 'http' : 'websocket' },
      'feishu adapter started',
    );
  }

  async #connect(): Promise<void> {
    const info = await this.#api.call<{ bot?: { open_id?: string; app_name?: string } }>(
      'the bot info',
      () => this.#api.client.request({ url: '/open-apis/bot/v3/info', method: 'GET' }),
    );
    const openId = info.bot?.open_id;
    if (!openId)
      throw new GridBotError(
        'Feishu gave no bot for the app: enable the Bot capability and publish the app',
      );
    this.#identity = { id: openId, username: info.bot?.app_name ?? null };
    if (this.webhook) return;
    const dispatcher = new lark.EventDispatcher({
      logger: this.#api.logger,
      loggerLevel: lark.LoggerLevel.warn,
    });
    const handlers = Object.fromEntries(
      EVENT_TYPES.map((type) => [
        type,
        (data: Rec) => this.#receive({ event_type: type, ...data }).then(() => ({})),
      ]),
    );
    dispatcher.register(handlers);
    await new Promise<void>((resolve, reject) => {
      this.#ws = new lark.WSClient({
        appId: this.#appId,
        appSecret: this.#appSecret,
        domain: this.#domain,
        logger: this.#api.logger,
        loggerLevel: lark.LoggerLevel.warn,
        onReady: resolve,
        onError: reject,
        onReconnecting: () => this.#logger.info('feishu long connection reconnecting'),
        onReconnected: () => this.#logger.info('feishu long connection back'),
      });
      void this.#ws.start({ eventDispatcher: dispatcher });
    });
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#ws?.close({ force: true });
    await this.#delivery.close();
  }

  /** One event, after the earlier ones of its chat; resolves once handled, rejects when the handler kept failing. */
  async #receive(event: Rec): Promise<void> {
    if (this.#state === 'stopped') throw new GridBotError('the Feishu adapter is stopping');
    const kept = await this.#delivery.deliver(
      chatKeyOf(event),
      () => this.handleUpdate(event),
      this.#retry,
      (error, attempt, retryInMs) =>
        this.#logger.warn(
          { err: error, attempt, retryInMs, eventId: event.event_id },
          'ingress failed on a feishu event',
        ),
    );
    if (!kept) throw new GridBotError('ingress failed on a feishu event; Feishu delivers it again');
  }

  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    if (onEvent === null || this.#identity === null)
      throw new GridBotError('FeishuAdapter.handleUpdate() called before start().');
    const event = (typeof update === 'object' && update !== null ? update : {}) as Rec;
    const message = (event.message ?? {}) as Rec;
    const sender = ((event.sender as Rec | undefined)?.sender_id ?? {}) as Rec;
    const operator = (event.operator ?? {}) as Rec;
    const openId =
      typeof sender.open_id === 'string'
        ? sender.open_id
        : typeof operator.open_id === 'string'
          ? operator.open_id
          : null;
    await this.#directory.prefetch(
      openId,
      typeof message.parent_id === 'string' ? message.parent_id : null,
    );
    const result = normalizeFeishuEvent(update, {
      botOpenId: this.#identity.id,
      person: (id) => this.#directory.person(id),
      isBotMessage: (id) => this.#directory.isBotMessage(id),
      isGroupChat: (id) => this.#directory.isGroupChat(id),
    });
    if (result.outcome === 'event') {
      if (result.event.kind === 'message')
        this.#directory.rememberChat(result.event.chat.platformChatId, result.event.chat.isGroup);
      await onEvent(result.event);
    } else if (result.outcome === 'ignored') {
      this.#logger.debug({ id: result.id, reason: result.reason }, 'ignoring a feishu event');
    } else {
      this.#logger.warn(
        { id: result.id, reason: result.reason },
        `skipping a malformed feishu event: ${result.reason}`,
      );
    }
  }

  async sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    const { msgType, content } = outgoingContent(text, options.actions);
    return this.#send(jid, msgType, content, options);
  }

  /** Uploads the file and sends it; a file message has no caption, so the caption goes first. */
  async sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    if (document.caption) await this.sendText(jid, document.caption, { replyTo: options.replyTo });
    const uploaded = await this.#api.call<{ data?: { file_key?: string }; file_key?: string }>(
      'a file upload',
      () =>
        this.#api.client.im.v1.file.create({
          data: {
            file_type: 'stream',
            file_name: document.fileName,
            file: Buffer.from(document.data),
          },
        }),
    );
    const fileKey = uploaded.data?.file_key ?? uploaded.file_key;
    if (!fileKey) throw new GridBotError('Feishu gave no file_key for the uploaded file');
    return this.#send(jid, 'file', JSON.stringify({ file_key: fileKey }), {
      replyTo: null,
      ...(options.idempotencyKey && { idempotencyKey: `${options.idempotencyKey}f` }),
    });
  }

  async #send(jid: Jid, msgType: string, content: string, options: SendOptions): Promise<string> {
    const { chatId, rootId } = targetOf(jid);
    const uuid = options.idempotencyKey;
    const replyTo = rootId ?? options.replyTo;
    const answer = await this.#api.call<{ data?: { message_id?: string } }>('a message', () =>
      replyTo
        ? this.#api.client.im.v1.message.reply({
            path: { message_id: replyTo },
            data: {
              msg_type: msgType,
              content,
              ...(rootId && { reply_in_thread: true }),
              ...(uuid && { uuid }),
            },
          })
        : this.#api.client.im.v1.message.create({
            params: { receive_id_type: 'chat_id' },
            data: { receive_id: chatId, msg_type: msgType, content, ...(uuid && { uuid }) },
          }),
    );
    const id = answer.data?.message_id;
    if (!id) throw new GridBotError('Feishu accepted the message but gave it no message_id');
    this.#directory.rememberSent(id);
    return id;
  }

  /** Replaces the pressed card with the answer's text, without buttons (a notice can no longer be shown to the presser). */
  async answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    if (!answer.edit) return;
    try {
      await this.#api.call('a card update', () =>
        this.#api.client.im.v1.message.patch({
          path: { message_id: action.platformMessageId },
          data: { content: JSON.stringify(card(answer.edit!)) },
        }),
      );
    } catch (error) {
      this.#logger.warn(
        { err: error, messageId: action.platformMessageId },
        'could not update the pressed feishu card',
      );
    }
  }

  async fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    const [messageId, type, key] = attachment.platformFileId.split('/');
    if (!messageId || !key || (type !== 'image' && type !== 'file'))
      throw new GridBotError(`not a Feishu file reference: ${attachment.platformFileId}`);
    const resource = await this.#api.call<Rec>('a file download', async () => {
      const got = await this.#api.client.im.v1.messageResource.get({
        path: { message_id: messageId, file_key: key },
        params: { type },
      });
      return { code: 0, got };
    });
    const got = resource.got as { getReadableStream(): NodeJS.ReadableStream; headers?: Rec };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of got.getReadableStream()) {
      size += (chunk as Buffer).length;
      if (size > MAX_FILE_BYTES)
        throw new GridBotError(`The Feishu file is larger than ${MAX_FILE_BYTES} bytes.`);
      chunks.push(chunk as Buffer);
    }
    const type_ = got.headers?.['content-type'];
    return {
      data: new Uint8Array(Buffer.concat(chunks)),
      mimeType: typeof type_ === 'string' ? type_ : null,
    };
  }

  identity(): BotIdentity {
    if (this.#identity === null)
      throw new GridBotError(
        'The Feishu bot is not known yet: call `await adapter.start(onEvent)` first.',
      );
    return this.#identity;
  }
}
