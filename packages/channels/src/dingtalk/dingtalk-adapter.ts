import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import type { DWClientDownStream } from 'dingtalk-stream';
import { TOPIC_ROBOT } from 'dingtalk-stream';
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
import { normalizeDingTalkMessage } from './normalize-message.ts';
import { RobotApi } from './robot-api.ts';
import { robotMessageOf, sendRobotMessage } from './send-message.ts';
import { StreamClient } from './stream-client.ts';

/** Options of a {@link DingTalkAdapter}; the app maps its environment into these. */
export interface DingTalkAdapterOptions {
  /** The app's Client ID (AppKey), which is also its robot's `robotCode`. */
  clientId: string;
  /** The app's Client Secret (AppSecret). Never logged. */
  clientSecret: string;
  /** OpenAPI root. Default `https://api.dingtalk.com`. */
  apiBase?: string;
  /** The legacy API's root, for file uploads. Default `https://oapi.dingtalk.com`. */
  oapiBase?: string;
  logger: Logger;
  /** Retries of a failing ingress handler before the callback is left unacknowledged. */
  ingressRetry?: RetryPolicy;
  /** How long the outbound queue pauses on a DingTalk rate limit. Default 2 s. */
  rateLimitPauseMs?: number;
  /** How long `start()` waits for the Stream connection. Default 30 s. */
  startTimeoutMs?: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4_000 };
/** Largest file GridBot uploads to DingTalk's media API (its limit for files is 20 MB). */
const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
/** Largest file a person sent that GridBot downloads. */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const APP_KEY = /^[A-Za-z0-9_-]{4,64}$/;
const SECRET = /^[A-Za-z0-9_-]{8,256}$/;

const conversationOf = (data: unknown): string =>
  typeof (data as { conversationId?: unknown } | null)?.conversationId === 'string'
    ? (data as { conversationId: string }).conversationId
    : 'unknown';

/**
 * The DingTalk channel: the app's robot receives over DingTalk's Stream mode (a WebSocket
 * the gateway opens with the `dingtalk-stream` SDK: no public URL) and answers through the
 * robot OpenAPI (`groupMessages/send`, `oToMessages/batchSend`) with the app's access token.
 * Each robot callback goes through {@link DingTalkAdapter.handleUpdate}, one at a time per
 * conversation in arrival order, and is acknowledged only once the handler committed it
 * (to Postgres, or to the gateway's spool); an unacknowledged callback is pushed again by
 * DingTalk, and ingress stores a `msgId` once. Replies never use the message's
 * `sessionWebhook`, which expires: the outbox can send hours later.
 *
 * JIDs: `dingtalk:<conversation id>` for a group (its `+`, `/` and `=` written `-`, `_`
 * and `.`), `dingtalk:u.<staff id>` for a one-to-one chat.
 */
export class DingTalkAdapter implements ChannelAdapter {
  readonly channel = 'dingtalk';
  /** Characters per message: DingTalk caps a message's body at 20 000 bytes (3 per CJK character). */
  readonly maxMessageLength = 3000;
  readonly maxDocumentBytes = MAX_DOCUMENT_BYTES;
  /** Pushes are acknowledged after the gateway kept them (Postgres or its spool). */
  readonly redelivers = false;
  readonly webhook = null;

  readonly #logger: Logger;
  readonly #api: RobotApi;
  readonly #client: StreamClient;
  readonly #retry: RetryPolicy;
  readonly #pauseMs: number;
  readonly #startTimeoutMs: number;
  readonly #delivery = new OrderedDelivery();
  #onEvent: IngressHandler | null = null;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: DingTalkAdapterOptions) {
    const clientId = requiredOption(
      options.clientId,
      APP_KEY,
      'The DingTalk Client ID is missing or malformed: pass the app’s Client ID (AppKey) from the developer console (Credentials & Basic Info).',
    );
    const clientSecret = requiredOption(
      options.clientSecret,
      SECRET,
      'The DingTalk Client Secret is missing or malformed: pass the app’s Client Secret (AppSecret).',
    );
    const apiBase = options.apiBase ?? 'https://api.dingtalk.com';
    this.#logger = options.logger.child({ component: 'dingtalk-adapter' });
    this.#retry = options.ingressRetry ?? DEFAULT_RETRY;
    this.#pauseMs = options.rateLimitPauseMs ?? 2_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#api = new RobotApi({
      apiBase,
      oapiBase: options.oapiBase ?? 'https://oapi.dingtalk.com',
      appKey: clientId,
      appSecret: clientSecret,
      rateLimitPauseMs: this.#pauseMs,
      timeoutMs: 15_000,
    });
    this.#client = new StreamClient({ clientId, clientSecret, apiBase, timeoutMs: 15_000 });
    this.#client.registerCallbackListener(TOPIC_ROBOT, (frame) => this.#onFrame(frame));
  }

  /**
   * Fetches the app's access token (a refused Client ID or Secret fails here, with
   * DingTalk's reason) and opens the Stream connection; the SDK reconnects it after a drop.
   */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new')
      throw new GridBotError(`DingTalkAdapter.start() called twice (state: ${this.#state}).`);
    this.#onEvent = onEvent;
    try {
      await withStartTimeout(
        (async () => {
          await this.#api.token();
          await this.#client.getEndpoint();
          await this.#client._connect();
        })(),
        this.#startTimeoutMs,
        'DingTalk',
      );
    } catch (error) {
      await this.stop();
      throw new GridBotError(
        `Could not connect to DingTalk: ${(error as Error).message}. Check DINGTALK_CLIENT_ID, DINGTALK_CLIENT_SECRET, that the app’s robot uses Stream mode, and the network.`,
        { cause: error },
      );
    }
    this.#state = 'running';
    this.#logger.info({ robotCode: this.#api.robotCode }, 'dingtalk adapter started (Stream mode)');
  }

  /** Closes the Stream connection, then waits for the callbacks already received. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#client.disconnect();
    await this.#delivery.close();
  }

  /** One robot callback's `data` (parsed): normalized and handed to the handler; malformed ones are logged and skipped. */
  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    if (onEvent === null)
      throw new GridBotError('DingTalkAdapter.handleUpdate() called before start().');
    const result = normalizeDingTalkMessage(update, this.#api.robotCode);
    if (result.outcome === 'event') {
      await onEvent(result.event);
    } else if (result.outcome === 'ignored') {
      this.#logger.debug(
        { msgId: result.id, reason: result.reason },
        'ignoring a dingtalk message',
      );
    } else {
      this.#logger.warn(
        { msgId: result.id, reason: result.reason },
        `skipping a malformed dingtalk message: ${result.reason}`,
      );
    }
  }

  sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    return sendRobotMessage(this.#api, jid, robotMessageOf(text, options.actions), this.#pauseMs);
  }

  /**
   * Uploads the file and sends it as a file message; a robot's file message has no caption,
   * so the caption goes first as a message of its own. Returns the file message's id.
   */
  async sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    if (document.caption) await this.sendText(jid, document.caption, { replyTo: options.replyTo });
    const mediaId = await this.#api.upload(document.fileName, document.data, document.mimeType);
    const fileType = document.fileName.includes('.') ? document.fileName.split('.').pop()! : 'file';
    return sendRobotMessage(
      this.#api,
      jid,
      { msgKey: 'sampleFile', msgParam: { mediaId, fileName: document.fileName, fileType } },
      this.#pauseMs,
    );
  }

  /** A DingTalk button press arrives as the chat command it sends: there is nothing to answer. */
  async answerAction(action: InboundAction, _answer: ActionAnswer): Promise<void> {
    this.#logger.debug(
      { actionId: action.actionId },
      'dingtalk buttons send commands; no press to answer',
    );
  }

  async fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    return this.#api.download(attachment.platformFileId, MAX_DOWNLOAD_BYTES);
  }

  identity(): BotIdentity {
    if (this.#onEvent === null)
      throw new GridBotError(
        'The DingTalk robot is not known yet: call `await adapter.start(onEvent)` first.',
      );
    return { id: this.#api.robotCode, username: null };
  }

  /** A pushed callback: handled after the earlier ones of its conversation, then acknowledged. */
  #onFrame(frame: DWClientDownStream): void {
    if (this.#state === 'stopped') return;
    const { messageId } = frame.headers;
    let data: unknown;
    try {
      data = JSON.parse(frame.data);
    } catch {
      this.#logger.warn({ messageId }, 'skipping a dingtalk callback whose data is not JSON');
      this.#client.socketCallBackResponse(messageId, {});
      return;
    }
    void this.#delivery
      .deliver(
        conversationOf(data),
        () => this.handleUpdate(data),
        this.#retry,
        (error, attempt, retryInMs) =>
          retryInMs === null
            ? this.#logger.error(
                { err: error, attempt, messageId },
                'ingress failed on a dingtalk message; leaving it unacknowledged, DingTalk pushes it again',
              )
            : this.#logger.warn(
                { err: error, attempt, messageId, retryInMs },
                'ingress failed on a dingtalk message; retrying',
              ),
      )
      .then((kept) => {
        if (kept) this.#client.socketCallBackResponse(messageId, {});
      });
  }
}
