import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import { Client, Events, GatewayIntentBits, Partials, Routes } from 'discord.js';
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
import { fetchFile } from '../fetch-file.ts';
import { OrderedDelivery, type RetryPolicy } from '../ordered-delivery.ts';
import { answerDiscordAction } from './answer-action.ts';
import {
  DEFAULT_API_BASE,
  DEFAULT_RETRY,
  type DiscordAdapterOptions,
  shardOptions,
} from './discord-adapter-options.ts';
import { discordDrafts } from './discord-drafts.ts';
import { channelKeyOf, dispatchFields, FATAL_CLOSE, type Packet } from './gateway-packet.ts';
import {
  type DiscordChannelInfo,
  type DiscordNormalizeResult,
  normalizeDiscordDispatch,
} from './normalize-message.ts';
import { DISCORD_MAX_DOCUMENT_BYTES, sendDiscordDocument } from './send-document.ts';
import { discordTarget, sendDiscordText } from './send-text.ts';

const MESSAGE_DISPATCHES = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'INTERACTION_CREATE']);
const THREAD_TYPES = new Set([10, 11, 12]);
/**
 * The Discord channel: a discord.js client on the gateway (guild text channels, their
 * threads, DMs) whose MESSAGE_CREATE / MESSAGE_UPDATE dispatches are normalized by
 * {@link normalizeDiscordDispatch} and handed to the ingress handler through
 * {@link DiscordAdapter.handleUpdate}, one at a time per channel in arrival order; replies
 * go out through discord.js's REST client. Discord does not redeliver, so a failing handler
 * is retried with backoff (`ingressRetry`), holding back only its channel, then dropped
 * with an error log.
 */
export class DiscordAdapter implements ChannelAdapter {
  readonly channel = 'discord';
  readonly maxMessageLength = 2000;
  readonly maxDocumentBytes = DISCORD_MAX_DOCUMENT_BYTES;
  /** No webhook (events come over the gateway WebSocket), no redelivery (the gateway spools). */
  readonly redelivers = false;
  readonly webhook = null;

  readonly #client: Client;
  readonly #logger: Logger;
  readonly #apiBase: string;
  readonly #token: string;
  readonly #retry: RetryPolicy;
  readonly #readyTimeoutMs: number;
  readonly #delivery = new OrderedDelivery();
  /** Rejects `start()` when `stop()` is called while it waits. */
  readonly #stopped = new AbortController();
  #identity: BotIdentity | null = null;
  #onEvent: IngressHandler | null = null;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  #stopping: Promise<void> | null = null;

  /** Throws `GridBotError` when the token is missing or `apiBase` is not an http(s) URL. */
  constructor(options: DiscordAdapterOptions) {
    if (options.placeholderDrafts)
      Object.assign(
        this,
        discordDrafts(() => this.#client.rest, 2000),
      );
    if (typeof options.token !== 'string' || options.token.trim() === '') {
      throw new GridBotError(
        'The Discord bot token is missing or empty: pass the token of the bot (Discord developer portal → Bot → Token) as `token`.',
      );
    }
    const apiBase = (options.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(apiBase)) {
      throw new GridBotError(
        `The Discord API base ${JSON.stringify(apiBase)} is not an http(s) URL (e.g. https://discord.com/api).`,
      );
    }
    this.#apiBase = apiBase;
    this.#token = options.token.trim();
    this.#logger = options.logger.child({ component: 'discord-adapter' });
    this.#retry = options.ingressRetry ?? DEFAULT_RETRY;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    const maxWait = options.maxRateLimitWaitMs ?? 5_000;
    this.#client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.MessageContent,
        GatewayIntentBits.DirectMessages,
      ],
      partials: [Partials.Channel],
      rest: { api: apiBase, rejectOnRateLimit: (limit) => limit.retryAfter > maxWait },
      ...shardOptions(options.shard),
    });
    // Sending works before start() (REST only needs the token).
    this.#client.rest.setToken(this.#token);
    this.#client.on(Events.Raw, (packet: Packet) => this.#onPacket(packet));
    // Without an `error` listener an EventEmitter error would crash the process.
    this.#client.on(Events.Error, (error) =>
      this.#logger.error({ err: error }, 'discord client error'),
    );
    this.#client.on(Events.ShardError, (error) =>
      this.#logger.warn({ err: error }, 'discord gateway connection error; discord.js reconnects'),
    );
    this.#client.on(Events.ShardReconnecting, () =>
      this.#logger.info('discord gateway reconnecting'),
    );
    this.#client.on(Events.ShardResume, (_id, replayed) =>
      this.#logger.info({ replayed }, 'discord gateway session resumed'),
    );
    this.#client.on(Events.Warn, (message) => this.#logger.warn(`discord.js: ${message}`));
  }

  /**
   * Logs in, connects to the gateway and waits until READY and the guilds have arrived;
   * from then on messages are delivered to `onEvent`. Throws `GridBotError` (with the cause)
   * when Discord refuses the token or intents, cannot be reached, or is not ready in time;
   * the adapter is then stopped (create a new one to try again).
   */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new') {
      throw new GridBotError(`DiscordAdapter.start() called twice (state: ${this.#state}).`);
    }
    this.#state = 'starting';
    this.#onEvent = onEvent;
    try {
      await Promise.all([this.#client.login(this.#token), this.#ready()]);
    } catch (error) {
      const wasStopped = this.#stopping !== null;
      await this.stop();
      if (wasStopped) return;
      const reason = (error instanceof Error ? error.message : String(error)).replace(
        /[.!]?$/,
        '.',
      );
      throw new GridBotError(
        `Could not connect to Discord at ${this.#apiBase}: ${reason} Check the bot token, its intents, the API base and the network.`,
        { cause: error },
      );
    }
    if (this.#stopping !== null) return;
    const user = this.#client.user;
    if (user === null) throw new GridBotError('Discord reported ready without a bot user.');
    this.#identity = { id: user.id, username: user.username };
    this.#state = 'running';
    this.#logger.info({ botId: user.id, username: user.username }, 'discord adapter started');
  }

  /**
   * Disconnects from the gateway, then waits for the events already received to be
   * delivered (without further retries). Safe to call twice, also during `start()`.
   */
  stop(): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    this.#state = 'stopped';
    this.#stopped.abort();
    this.#stopping = (async () => {
      try {
        await this.#client.destroy();
      } catch (error) {
        this.#logger.warn({ err: error }, 'could not close the discord client cleanly');
      }
      await this.#delivery.close();
    })();
    return this.#stopping;
  }

  /**
   * Normalizes one raw dispatch `{ t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', d: <message> }`
   * (the gateway packet; `op`/`s` ignored) and passes the event to the ingress handler. The
   * gateway's events come in here too, each after the earlier ones of its channel. Other and
   * malformed dispatches are logged and skipped; only a failing handler makes it throw (no
   * retry here: the caller decides).
   */
  handleUpdate(update: unknown): Promise<void> {
    if (this.#onEvent === null) {
      return Promise.reject(
        new GridBotError('DiscordAdapter.handleUpdate() called before start() finished.'),
      );
    }
    return this.#process(update);
  }

  /** Sends one chunk (at most 2000 characters); see {@link sendDiscordText}. */
  sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    if (this.#state === 'stopped') {
      return Promise.reject(new GridBotError('The Discord adapter is stopped; it sends nothing.'));
    }
    return sendDiscordText(this.#client.rest, jid, text, options, this.maxMessageLength);
  }

  /** Posts one file as an attachment; see {@link sendDiscordDocument}. */
  sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    if (this.#state === 'stopped') {
      return Promise.reject(new GridBotError('The Discord adapter is stopped; it sends nothing.'));
    }
    return sendDiscordDocument(this.#client.rest, jid, document, options, this.maxMessageLength);
  }

  /** Answers a button interaction (its callback); see {@link answerDiscordAction}. */
  answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    return answerDiscordAction(this.#client.rest, action, answer, this.maxMessageLength);
  }

  /** Downloads a file a person sent from its message's CDN URL (signed, valid about a day). */
  async fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    if (!attachment.url) {
      throw new GridBotError(`Discord attachment ${attachment.platformFileId} came without a URL.`);
    }
    const fetched = await fetchFile(
      attachment.url,
      `Discord attachment ${attachment.platformFileId}`,
    );
    return { ...fetched, mimeType: attachment.mimeType ?? fetched.mimeType };
  }

  /** With `placeholderDrafts`, a streamed reply's placeholder (see {@link discordDrafts}). */
  readonly drafts?: DraftSurface;
  readonly placeholders?: PlaceholderSurface;
  /** The typing indicator (`POST /channels/{id}/typing`): it shows for 10 s or until the bot posts. */
  readonly typing: TypingIndicator = {
    intervalMs: 8_000,
    show: async (jid) => {
      if (this.#state === 'stopped') return;
      await this.#client.rest.post(Routes.channelTyping(discordTarget(jid)));
    },
  };

  /** The bot's id and username; throws before `start()` has finished. */
  identity(): BotIdentity {
    if (this.#identity === null) {
      throw new GridBotError(
        'The Discord bot identity is not known yet: call `await adapter.start(onEvent)` first.',
      );
    }
    return this.#identity;
  }

  /** Resolves on ClientReady; rejects on a fatal gateway close, a timeout or `stop()`. */
  #ready(): Promise<void> {
    const client = this.#client;
    const stopped = this.#stopped.signal;
    const givingUp = AbortSignal.any([stopped, AbortSignal.timeout(this.#readyTimeoutMs)]);
    return new Promise((resolve, reject) => {
      const settle = (error: Error | null): void => {
        client.off(Events.ClientReady, onReady);
        client.off(Events.ShardDisconnect, onDisconnect);
        givingUp.removeEventListener('abort', onGiveUp);
        if (error === null) resolve();
        else reject(error);
      };
      const onReady = (): void => settle(null);
      const onDisconnect = (event: { code: number }): void =>
        settle(
          new GridBotError(
            `the gateway closed the connection with code ${event.code} (${FATAL_CLOSE[event.code] ?? 'not recoverable'}).`,
          ),
        );
      const onGiveUp = (): void =>
        settle(
          new GridBotError(
            stopped.aborted
              ? 'the adapter was stopped while starting.'
              : `the gateway was not ready after ${this.#readyTimeoutMs} ms.`,
          ),
        );
      client.once(Events.ClientReady, onReady);
      client.once(Events.ShardDisconnect, onDisconnect);
      givingUp.addEventListener('abort', onGiveUp, { once: true });
      if (givingUp.aborted) onGiveUp();
    });
  }

  /**
   * A gateway packet: a message dispatch waits for the earlier ones of its channel, then
   * goes through `handleUpdate`, retried while the handler fails.
   */
  #onPacket(packet: Packet): void {
    if (this.#state === 'stopped' || !MESSAGE_DISPATCHES.has(packet.t as string)) return;
    void this.#delivery.deliver(
      channelKeyOf(packet),
      () => this.handleUpdate(packet),
      this.#retry,
      (error, attempt, retryInMs) => {
        const fields = { err: error, attempt, ...dispatchFields(packet) };
        if (retryInMs === null) {
          this.#logger.error(
            fields,
            'ingress handler failed on a discord message; dropping it (the gateway does not redeliver)',
          );
        } else {
          this.#logger.warn(
            { ...fields, retryInMs },
            'ingress handler failed on a discord message; retrying',
          );
        }
      },
    );
  }

  /** Normalizes one dispatch and, if it is an event, awaits the handler. */
  async #process(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    const user = this.#client.user;
    // Gateway events can arrive between READY and ClientReady; the bot user is known by then.
    const bot = this.#identity ?? (user === null ? null : { id: user.id, username: user.username });
    if (onEvent === null || bot === null) {
      throw new GridBotError('DiscordAdapter received a dispatch before it knew the bot user.');
    }
    await this.#prefetchChannel(update);
    const result = normalizeDiscordDispatch(update, {
      bot,
      lookupChannel: (id) => this.#cachedChannel(id),
    });
    if (result.outcome === 'event') {
      await onEvent(result.event);
      return;
    }
    this.#report(result);
  }

  #report(result: Exclude<DiscordNormalizeResult, { outcome: 'event' }>): void {
    if (result.outcome === 'ignored') {
      this.#logger.debug(
        { messageId: result.messageId, reason: result.reason },
        'ignoring discord dispatch',
      );
    } else if (result.outcome === 'unsupported') {
      this.#logger.warn(
        { messageId: result.messageId, channelId: result.channelId, reason: result.reason },
        `skipping discord message ${result.messageId}: ${result.reason}`,
      );
    } else {
      this.#logger.warn(
        { messageId: result.messageId, reason: result.reason },
        `skipping malformed discord dispatch${result.messageId === null ? '' : ` ${result.messageId}`}: ${result.reason}`,
      );
    }
  }

  #cachedChannel(id: string): DiscordChannelInfo | null {
    const channel = this.#client.channels.cache.get(id);
    if (channel === undefined) return null;
    return {
      type: channel.type,
      parentId: 'parentId' in channel ? (channel.parentId ?? null) : null,
      name: 'name' in channel ? (channel.name ?? null) : null,
    };
  }

  /**
   * Fetches a guild channel discord.js has not cached (e.g. a thread it never saw) so the
   * normalizer can tell its type and parent. Failures only cost the lookup.
   */
  async #prefetchChannel(update: unknown): Promise<void> {
    const d = (
      update as { d?: { channel_id?: unknown; guild_id?: unknown; channel_type?: unknown } } | null
    )?.d;
    const id = d?.channel_id;
    if (typeof id !== 'string' || !/^\d{1,20}$/.test(id) || d?.guild_id === undefined) return;
    if (this.#client.channels.cache.has(id)) return;
    if (typeof d.channel_type === 'number' && !THREAD_TYPES.has(d.channel_type)) return;
    try {
      await this.#client.channels.fetch(id);
    } catch (error) {
      this.#logger.warn({ err: error, channelId: id }, 'could not fetch a discord channel');
    }
  }
}
