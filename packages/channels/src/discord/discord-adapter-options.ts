import { GridBotError } from '@gridbot/core';
import type { Logger } from 'pino';
import type { RetryPolicy } from '../ordered-delivery.ts';

export const DEFAULT_API_BASE = 'https://discord.com/api';
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4_000 };

/** One shard of a bot's gateway connections. */
export interface DiscordShard {
  id: number;
  count: number;
}

/** Options of a {@link DiscordAdapter}; the app maps its environment into these. */
export interface DiscordAdapterOptions {
  /** Bot token from the Discord developer portal (Bot → Token). Never logged. */
  token: string;
  /** REST root including `/api`, e.g. `http://127.0.0.1:PORT/api`; default Discord's. */
  apiBase?: string;
  logger: Logger;
  /**
   * Retries of an ingress handler that fails on a gateway event: the gateway never
   * redelivers, so after the last attempt the message is dropped (logged as an error).
   * Default 5 attempts, 250 ms doubling to 4 s.
   */
  ingressRetry?: RetryPolicy;
  /** Rate limits up to this long are waited out by discord.js; longer ones throw `PlatformRateLimitError`. Default 5 s. */
  maxRateLimitWaitMs?: number;
  /** How long `start()` waits for the gateway's READY and the guilds. Default 30 s. */
  readyTimeoutMs?: number;
  /** Draft streamed replies in a placeholder message the reply replaces. Default false. */
  placeholderDrafts?: boolean;
  /**
   * The one shard this adapter connects (`id` of `count`): Discord sends it the events of
   * the guilds with `(guild_id >> 22) % count === id`, and direct messages to shard 0.
   * Default: one shard, every guild.
   */
  shard?: DiscordShard;
}

/** discord.js's client options for one shard; nothing for the default single shard. */
export function shardOptions(shard: DiscordShard | undefined): {
  shards?: number[];
  shardCount?: number;
} {
  if (!shard) return {};
  const { id, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(id) || id < 0 || id >= count) {
    throw new GridBotError(
      `Discord shard ${id} of ${count} does not exist: the count is a whole number from 1, the id one from 0 to count − 1.`,
    );
  }
  return { shards: [id], shardCount: count };
}
