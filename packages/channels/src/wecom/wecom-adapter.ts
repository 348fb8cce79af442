import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import type { Logger } from 'pino';
import { requiredOption } from '../adapter-options.ts';
import type {
  BotIdentity,
  ChannelAdapter,
  FetchedFile,
  IngressHandler,
  OutboundDocument,
  SendOptions,
} from '../channel-adapter.ts';
import { OrderedDelivery, type RetryPolicy } from '../ordered-delivery.ts';
import { weComCallbackHandler } from './callback-handler.ts';
import { normalizeWeComMessage } from './normalize-message.ts';
import { messageBody, sendWeComMessage } from './send-message.ts';
import { WeComApi } from './wecom-api.ts';
import { targetOf } from './wecom-ids.ts';

/** Options of a {@link WeComAdapter}; the app maps its environment into these. */
export interface WeComAdapterOptions {
  /** The organization's CorpID (My Company → Company Information). */
  corpId: string;
  /** The self-built app's AgentId and Secret. The secret is never logged. */
  agentId: string;
  secret: string;
  /** The app's callback Token and EncodingAESKey (Receive Messages → Set API receiving). */
  token: string;
  encodingAESKey: string;
  /** Path of the callback, served on the health port. Default `/wecom/callback`. */
  callbackPath?: string;
  /** Server API root. Default `https://qyapi.weixin.qq.com`. */
  apiBase?: string;
  logger: Logger;
  ingressRetry?: RetryPolicy;
  /** Pause of the outbound queue on a frequency limit. Default 2 s. */
  rateLimitPauseMs?: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 };
/** Temporary files: WeCom takes up to 20 MB. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * The WeCom (企业微信) channel: a self-built app in callback mode. WeCom posts each message
 * a person sends the app, encrypted and signed, to the callback (see
 * {@link weComCallbackHandler}: nothing unsigned is read); replies go out with
 * `message/send` to a person and `appchat/send` to a group chat the app made, with the
 * app's access token. WeCom counts a message's size in bytes (2048 for text): chunks are
 * at most 680 UTF-16 units, which no text can make more than 2040 bytes.
 *
 * JIDs: `wecom:<userid>` for a person's chat with the app, `wecom:chat:<chatid>` for a
 * group chat (`appchat`), which WeCom lets an app send to but not hear from.
 */
export class WeComAdapter implements ChannelAdapter {
  readonly channel = 'wecom';
  readonly maxMessageLength = 680;
  readonly maxDocumentBytes = MAX_FILE_BYTES;
  /**
   * WeCom posts an unanswered callback only three times more, so a message is answered once
   * it is kept in Postgres or the gateway's spool, which outlasts an outage.
   */
  readonly redelivers = false;
  readonly webhook: { path: string; handler: (req: IncomingMessage, res: ServerResponse) => void };

  readonly #agentId: string;
  readonly #api: WeComApi;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  readonly #delivery = new OrderedDelivery();
  readonly #pressers = new Map<string, string>();
  #onEvent: IngressHandler | null = null;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: WeComAdapterOptions) {
    const corpId = requiredOption(
      options.corpId,
      /^[A-Za-z0-9]{4,64}$/,
      'The WeCom CorpID is missing or malformed (My Company → Company Information).',
    );
    this.#agentId = requiredOption(
      options.agentId,
      /^\d{1,12}$/,
      'The WeCom AgentId is missing or not a number (the app’s page in the admin console).',
    );
    const secret = requiredOption(
      options.secret,
      /^[A-Za-z0-9_-]{8,128}$/,
      'The WeCom app Secret is missing or malformed.',
    );
    const token = requiredOption(
      options.token,
      /^[A-Za-z0-9]{1,32}$/,
      'The WeCom callback Token is missing or malformed (letters and digits, at most 32).',
    );
    const encodingAESKey = requiredOption(
      options.encodingAESKey,
      /^[A-Za-z0-9]{43}$/,
      'The WeCom EncodingAESKey is missing or is not 43 letters and digits.',
    );
    this.#logger = options.logger.child({ component: 'wecom-adapter' });
    this.#retry = options.ingressRetry ?? DEFAULT_RETRY;
    this.#api = new WeComApi({
      apiBase: options.apiBase ?? 'https://qyapi.weixin.qq.com',
      corpId,
      corpSecret: secret,
      rateLimitPauseMs: options.rateLimitPauseMs ?? 2_000,
      timeoutMs: 15_000,
    });
    this.webhook = {
      path: options.callbackPath ?? '/wecom/callback',
      handler: weComCallbackHandler({
        token,
        encodingAESKey,
        corpId,
        logger: this.#logger,
        receive: (message) => this.#receive(message),
      }),
    };
  }

  /** Fetches the app's access token: refused credentials fail here with WeCom's reason. */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new')
      throw new GridBotError(`WeComAdapter.start() called twice (state: ${this.#state}).`);
    try {
      await this.#api.token();
    } catch (error) {
      this.#state = 'stopped';
      throw new GridBotError(`Could not start the WeCom channel: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#onEvent = onEvent;
    this.#state = 'running';
    this.#logger.info(
      { agentId: this.#agentId, path: this.webhook.path },
      'wecom adapter started (callback mode)',
    );
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.#delivery.close();
  }

  async #receive(message: Record<string, unknown>): Promise<void> {
    if (this.#state !== 'running') throw new GridBotError('the WeCom channel is not running');
    const kept = await this.#delivery.deliver(
      String(message.FromUserName ?? 'unknown'),
      () => this.handleUpdate(message),
      this.#retry,
      (error, attempt) =>
        this.#logger.warn({ err: error, attempt }, 'ingress failed on a wecom message'),
    );
    if (!kept) throw new GridBotError('ingress failed on a wecom message');
  }

  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    if (onEvent === null)
      throw new GridBotError('WeComAdapter.handleUpdate() called before start().');
    const result = normalizeWeComMessage(update, this.#agentId);
    if (result.outcome === 'event') {
      if (result.event.kind === 'action')
        this.#pressers.set(result.event.platformMessageId, result.event.sender.platformUserId);
      await onEvent(result.event);
    } else if (result.outcome === 'ignored') {
      this.#logger.debug({ id: result.id, reason: result.reason }, 'ignoring a wecom message');
    } else {
      this.#logger.warn(
        { id: result.id, reason: result.reason },
        `skipping a malformed wecom message: ${result.reason}`,
      );
    }
  }

  async sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    return sendWeComMessage(
      this.#api,
      this.#agentId,
      jid,
      messageBody(text, options.actions, targetOf(jid).kind === 'user'),
    );
  }

  /** Uploads the file and sends it; a file message has no caption, so the caption goes first. */
  async sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    if (document.caption) await this.sendText(jid, document.caption, { replyTo: options.replyTo });
    const mediaId = await this.#api.upload(document.fileName, document.data, document.mimeType);
    return sendWeComMessage(this.#api, this.#agentId, jid, {
      msgtype: 'file',
      file: { media_id: mediaId },
    });
  }

  /** Replaces the pressed card's buttons with the answer (`update_template_card`). */
  async answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    if (!action.actionToken) return;
    try {
      await this.#api.post('message/update_template_card', {
        userids: [this.#pressers.get(action.platformMessageId) ?? action.sender.platformUserId],
        agentid: Number(this.#agentId),
        response_code: action.actionToken,
        button: { replace_name: (answer.edit ?? answer.text).slice(0, 20) },
      });
    } catch (error) {
      this.#logger.warn(
        { err: error, taskId: action.platformMessageId },
        'could not update the pressed wecom card',
      );
    }
  }

  fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    return this.#api.download(attachment.platformFileId, MAX_FILE_BYTES);
  }

  identity(): BotIdentity {
    if (this.#onEvent === null)
      throw new GridBotError(
        'The WeCom app is not known yet: call `await adapter.start(onEvent)` first.',
      );
    return { id: this.#agentId, username: null };
  }
}
