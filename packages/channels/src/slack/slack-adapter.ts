import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
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
import { answerSlackAction } from './answer-action.ts';
import { fetchSlackFile } from './fetch-shared-file.ts';
import {
  mentionedUsers,
  normalizeSlackPayload,
  type SlackNormalizeResult,
} from './normalize-event.ts';
import { SLACK_MAX_DOCUMENT_BYTES, sendSlackDocument } from './send-document.ts';
import { sendSlackText } from './send-text.ts';
import { SlackDirectory } from './slack-directory.ts';
import { slackLogger } from './slack-logger.ts';

/** Options of a {@link SlackAdapter}; the app maps its environment into these. */
export interface SlackAdapterOptions {
  /** Bot token (`xoxb-…`, OAuth & Permissions). Never logged. */
  botToken: string;
  /**
   * `socket` (default): Socket Mode over a WebSocket, no public URL needed; needs `appToken`.
   * `http`: the Events API posts to `webhook.path`, signed with `signingSecret` (several
   * gateway replicas can sit behind a load balancer).
   */
  mode?: 'socket' | 'http';
  /** App-level token (`xapp-…`, with `connections:write`) for Socket Mode. Never logged. */
  appToken?: string;
  /** Signing secret (Basic Information → App Credentials), required in HTTP mode. */
  signingSecret?: string;
  /** Path of the Events API and interactivity requests in HTTP mode. Default `/slack/events`. */
  eventsPath?: string;
  /** Web API root, with a trailing slash. Default `https://slack.com/api/`. */
  apiUrl?: string;
  logger: Logger;
  /**
   * Retries of an ingress handler that fails: Bolt acknowledges an event before it is
   * handled, so after the last attempt it is dropped (logged as an error). Default 5
   * attempts, 250 ms doubling to 4 s.
   */
  ingressRetry?: RetryPolicy;
  /** How long `start()` waits for Slack (auth.test, the Socket Mode hello). Default 30 s. */
  startTimeoutMs?: number;
}

const DEFAULT_API_URL = 'https://slack.com/api/';
const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4_000 };

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The conversation a payload belongs to (for ordering and lookups), or null. */
function channelOf(payload: unknown): string | null {
  if (!isRecord(payload)) return null;
  const event = isRecord(payload.event) ? payload.event : null;
  const container = isRecord(payload.container) ? payload.container : null;
  const id = event?.channel ?? container?.channel_id;
  return typeof id === 'string' ? id : null;
}

/** The people a payload names: its author (or presser) and those it mentions. */
function usersOf(payload: unknown): string[] {
  if (!isRecord(payload)) return [];
  const event = isRecord(payload.event) ? payload.event : null;
  const message = event && isRecord(event.message) ? event.message : event;
  const ids: string[] = [];
  if (typeof message?.user === 'string') ids.push(message.user);
  if (isRecord(payload.user) && typeof payload.user.id === 'string') ids.push(payload.user.id);
  if (typeof message?.text === 'string') ids.push(...mentionedUsers(message.text));
  return [...new Set(ids)].filter((id) => /^[UW][A-Z0-9]{2,}$/.test(id));
}

/** Fields worth logging about a payload; never its text. */
function payloadFields(payload: unknown): Rec {
  if (!isRecord(payload)) return {};
  const event = isRecord(payload.event) ? payload.event : {};
  return {
    eventId: payload.event_id,
    type: event.type ?? payload.type,
    ts: event.ts,
    channelId: channelOf(payload),
  };
}

/**
 * The Slack channel: a Bolt app receiving over Socket Mode (default) or the HTTP Events API
 * (signature verified by Bolt: no valid `X-Slack-Signature`, or a timestamp more than five
 * minutes off, gets a 401). Every payload, events (`message`, `app_mention`, edits) and
 * `block_actions` presses alike, goes through {@link SlackAdapter.handleUpdate}, one at a
 * time per conversation in arrival order. Replies go out through `@slack/web-api`.
 *
 * Bolt acknowledges an Events API envelope before the app sees it, so an event is never
 * redelivered once it arrived: `redelivers` is false, the gateway spools what it cannot
 * commit, and a failing handler is retried here (`ingressRetry`) before the event is
 * dropped with an error log. A Slack retry of an event (`X-Slack-Retry-Num`, an envelope
 * sent again after a reconnect) carries the same `ts`, which ingress stores once.
 */
export class SlackAdapter implements ChannelAdapter {
  readonly channel = 'slack';
  /** Slack takes 40,000 characters but advises 4,000; 3,000 also fits a section block. */
  readonly maxMessageLength = 3000;
  readonly maxDocumentBytes = SLACK_MAX_DOCUMENT_BYTES;
  readonly redelivers = false;
  readonly webhook: ChannelAdapter['webhook'];

  readonly #app: App;
  readonly #web: WebClient;
  readonly #botToken: string;
  readonly #mode: 'socket' | 'http';
  readonly #apiUrl: string;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  readonly #startTimeoutMs: number;
  readonly #directory: SlackDirectory;
  readonly #delivery = new OrderedDelivery();
  #identity: BotIdentity | null = null;
  #onEvent: IngressHandler | null = null;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  #stopping: Promise<void> | null = null;

  /** Throws `GridBotError` when a token or secret the mode needs is missing or malformed. */
  constructor(options: SlackAdapterOptions) {
    const botToken = requiredOption(
      options.botToken,
      /^xoxb-[A-Za-z0-9-]+$/,
      'The Slack bot token is missing or malformed: pass the Bot User OAuth Token (xoxb-…, OAuth & Permissions) as `botToken`.',
    );
    this.#botToken = botToken;
    this.#mode = options.mode ?? 'socket';
    const apiUrl = `${(options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')}/`;
    if (!/^https?:\/\/[^/]/.test(apiUrl)) {
      throw new GridBotError(
        `The Slack API URL ${JSON.stringify(apiUrl)} is not an http(s) URL (e.g. https://slack.com/api/).`,
      );
    }
    this.#apiUrl = apiUrl;
    this.#logger = options.logger.child({ component: 'slack-adapter' });
    this.#retry = options.ingressRetry ?? DEFAULT_RETRY;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    const logger = slackLogger(this.#logger.child({ component: 'slack-sdk' }));
    // Sends: no silent waiting on a 429 (egress pauses its queue) and no hidden retries.
    this.#web = new WebClient(botToken, {
      slackApiUrl: apiUrl,
      logger,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: 30_000,
    });
    this.#directory = new SlackDirectory(this.#web, this.#logger);
    const clientOptions = { slackApiUrl: apiUrl };
    if (this.#mode === 'socket') {
      const appToken = requiredOption(
        options.appToken,
        /^xapp-[A-Za-z0-9-]+$/,
        'Socket Mode needs the app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write) as `appToken`.',
      );
      const receiver = new SocketModeReceiver({
        appToken,
        logger,
        installerOptions: { clientOptions },
      });
      this.#app = new App({
        token: botToken,
        receiver,
        logger,
        clientOptions,
        ignoreSelf: false,
        deferInitialization: true,
      });
      this.webhook = null;
    } else {
      const signingSecret = requiredOption(
        options.signingSecret,
        /^\S{8,}$/,
        'HTTP mode needs the signing secret (Basic Information → App Credentials → Signing Secret) as `signingSecret`: without it no request can be verified.',
      );
      const path = options.eventsPath ?? '/slack/events';
      if (!path.startsWith('/'))
        throw new GridBotError(
          `The Slack events path ${JSON.stringify(path)} must start with "/".`,
        );
      const receiver = new HTTPReceiver({
        signingSecret,
        endpoints: path,
        logger,
        processBeforeResponse: true,
      });
      this.#app = new App({
        token: botToken,
        receiver,
        logger,
        clientOptions,
        ignoreSelf: false,
        deferInitialization: true,
      });
      this.webhook = { path, handler: (req, res) => this.#onRequest(receiver, req, res) };
    }
    this.#app.use(async (args) => {
      const { body } = args;
      // Presses must be acknowledged within 3 s; events were acknowledged by Bolt already.
      if ('ack' in args && typeof args.ack === 'function')
        await (args.ack as () => Promise<void>)();
      this.#receive(body);
    });
    this.#app.error(async (error) => {
      this.#logger.error({ err: error }, 'slack app error');
    });
  }

  /**
   * Checks the bot token (`auth.test`) and, in Socket Mode, connects and waits for Slack's
   * hello; in HTTP mode, requests are accepted from then on. Throws `GridBotError` (with the
   * cause) when Slack refuses a token or cannot be reached in time; the adapter is then stopped.
   */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new') {
      throw new GridBotError(`SlackAdapter.start() called twice (state: ${this.#state}).`);
    }
    this.#state = 'starting';
    this.#onEvent = onEvent;
    try {
      await withStartTimeout(this.#connect(), this.#startTimeoutMs, 'Slack');
    } catch (error) {
      await this.stop();
      const reason = (error instanceof Error ? error.message : String(error)).replace(
        /[.!]?$/,
        '.',
      );
      throw new GridBotError(
        `Could not connect to Slack at ${this.#apiUrl}: ${reason} Check the bot token, the app token (Socket Mode), the API URL and the network.`,
        { cause: error },
      );
    }
    if (this.#stopping !== null) return;
    this.#state = 'running';
    this.#logger.info(
      { botId: this.#identity?.id, username: this.#identity?.username, mode: this.#mode },
      'slack adapter started',
    );
  }

  /** Disconnects, then waits for the payloads already received to be delivered. Safe to call twice. */
  stop(): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    const wasConnecting = this.#state !== 'new';
    this.#state = 'stopped';
    this.#stopping = (async () => {
      if (this.#mode === 'socket' && wasConnecting) {
        try {
          await this.#app.stop();
        } catch (error) {
          this.#logger.warn({ err: error }, 'could not close the slack socket cleanly');
        }
      }
      await this.#delivery.close();
    })();
    return this.#stopping;
  }

  /**
   * Normalizes one raw payload (an Events API body or a `block_actions` payload) and passes
   * the event to the ingress handler. Malformed and unsupported payloads are logged and
   * skipped; only a failing handler makes it throw.
   */
  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    const bot = this.#identity;
    if (onEvent === null || bot === null) {
      throw new GridBotError('SlackAdapter.handleUpdate() called before start() finished.');
    }
    await this.#directory.prefetch(usersOf(update), channelOf(update));
    const result = normalizeSlackPayload(update, {
      bot,
      lookupUser: (id) => this.#directory.user(id),
      lookupChannelName: (id) => this.#directory.channelName(id),
    });
    if (result.outcome === 'event') {
      await onEvent(result.event);
      return;
    }
    this.#report(result, update);
  }

  /** Posts one chunk (at most 3000 characters); see {@link sendSlackText}. */
  sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    if (this.#state === 'stopped')
      return Promise.reject(new GridBotError('The Slack adapter is stopped; it sends nothing.'));
    return sendSlackText(this.#web, jid, text, options);
  }

  /** Uploads one file; see {@link sendSlackDocument}. */
  sendDocument(jid: Jid, document: OutboundDocument, _options: SendOptions): Promise<string> {
    if (this.#state === 'stopped')
      return Promise.reject(new GridBotError('The Slack adapter is stopped; it sends nothing.'));
    return sendSlackDocument(this.#web, jid, document);
  }

  /**
   * Downloads a file a person shared: `files.info` names its `url_private`, fetched with
   * the bot token (needs the `files:read` scope).
   */
  fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    return fetchSlackFile(this.#web, this.#botToken, attachment);
  }

  /** Edits the pressed message and tells the presser; failures are logged, never thrown. */
  async answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    try {
      await answerSlackAction(this.#web, action, answer);
    } catch (error) {
      this.#logger.warn(
        { err: error, messageTs: action.platformMessageId },
        'could not answer a slack button press',
      );
    }
  }

  /** The bot user's id (`U…`) and name; throws before `start()` has finished. */
  identity(): BotIdentity {
    if (this.#identity === null) {
      throw new GridBotError(
        'The Slack bot identity is not known yet: call `await adapter.start(onEvent)` first.',
      );
    }
    return this.#identity;
  }

  async #connect(): Promise<void> {
    const auth = await this.#web.auth.test();
    if (typeof auth.user_id !== 'string') throw new GridBotError('auth.test named no bot user.');
    this.#identity = { id: auth.user_id, username: auth.user ?? null };
    await this.#app.init();
    if (this.#mode === 'socket' && this.#stopping === null) await this.#app.start();
  }

  #onRequest(receiver: HTTPReceiver, req: IncomingMessage, res: ServerResponse): void {
    if (this.#state !== 'running') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('not ready');
      return;
    }
    receiver.requestListener(req, res);
  }

  /** A payload from Bolt: it waits for the earlier ones of its conversation, then is retried while the handler fails. */
  #receive(body: unknown): void {
    if (this.#state === 'stopped') return;
    void this.#delivery.deliver(
      channelOf(body) ?? 'none',
      () => this.handleUpdate(body),
      this.#retry,
      (error, attempt, retryInMs) => {
        const fields = { err: error, attempt, ...payloadFields(body) };
        if (retryInMs === null) {
          this.#logger.error(
            fields,
            'ingress handler failed on a slack event; dropping it (Slack acknowledged it already)',
          );
        } else {
          this.#logger.warn(
            { ...fields, retryInMs },
            'ingress handler failed on a slack event; retrying',
          );
        }
      },
    );
  }

  #report(result: Exclude<SlackNormalizeResult, { outcome: 'event' }>, update: unknown): void {
    const fields = { ...payloadFields(update), reason: result.reason };
    if (result.outcome === 'ignored') this.#logger.debug(fields, 'ignoring slack payload');
    else this.#logger.warn(fields, `skipping malformed slack payload: ${result.reason}`);
  }
}
