import { ConfigError } from '@gridbot/core';
import { secret, urlVar } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { numericIdList } from './id-list.ts';

/** Discord settings; the token is required only when the Discord gateway runs. */
export const discordEnvShape = {
  DISCORD_BOT_TOKEN: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{20,200}$/, {
        message: 'expected the bot token from the Discord Developer Portal',
      })
      .optional(),
  ),
  /** REST root including /api (the WebSocket URL comes from GET /gateway/bot). */
  DISCORD_API_BASE: urlVar(['http', 'https'], 'https://discord.com/api').optional(),
  DISCORD_ALLOWED_USERS: numericIdList.optional(),
  /** Discord user ids who may decide any approval (besides the main thread's users). */
  DISCORD_ADMIN_USERS: numericIdList.optional(),
  /** Shards the bot's connections are spread over; each gateway replica holds one. */
  DISCORD_SHARD_COUNT: z.coerce.number().int().min(1).max(4_096).default(1),
  /** This replica's shard, from 0; unset: the ordinal ending a StatefulSet pod's HOSTNAME. */
  DISCORD_SHARD_ID: z.coerce.number().int().min(0).max(4_095).optional(),
  HOSTNAME: z.string().optional(),
};

/**
 * The shard this gateway connects, or undefined for a single one. The id is
 * `DISCORD_SHARD_ID`, else the ordinal of a StatefulSet pod's name (`…-2` → 2).
 */
export function discordShard(env: {
  DISCORD_SHARD_COUNT: number;
  DISCORD_SHARD_ID?: number | undefined;
  HOSTNAME?: string | undefined;
}): { id: number; count: number } | undefined {
  const count = env.DISCORD_SHARD_COUNT;
  if (count === 1 && (env.DISCORD_SHARD_ID ?? 0) === 0) return undefined;
  const ordinal = /-(\d+)$/.exec(env.HOSTNAME ?? '')?.[1];
  const id = env.DISCORD_SHARD_ID ?? (ordinal === undefined ? undefined : Number(ordinal));
  if (id === undefined) {
    throw new ConfigError(
      `DISCORD_SHARD_ID is not set: with DISCORD_SHARD_COUNT=${count} each Discord gateway needs its shard (0 to ${count - 1}), or a StatefulSet pod name ending in it.`,
      ['DISCORD_SHARD_ID'],
    );
  }
  if (id >= count) {
    throw new ConfigError(
      `DISCORD_SHARD_ID=${id} is not a shard of DISCORD_SHARD_COUNT=${count}: it must be 0 to ${count - 1}.`,
      ['DISCORD_SHARD_ID', 'DISCORD_SHARD_COUNT'],
    );
  }
  return { id, count };
}

export const discordSetup: ChannelSetup = {
  name: 'discord',
  configured: (env) => Boolean(env.DISCORD_BOT_TOKEN),
  allowedUsers: (env) => env.DISCORD_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.DISCORD_ADMIN_USERS ?? new Set(),
  async create(env, logger) {
    if (!env.DISCORD_BOT_TOKEN) {
      throw new ConfigError(
        'DISCORD_BOT_TOKEN is not set: the Discord gateway needs the bot token from the Developer Portal (Bot → Reset Token).',
        ['DISCORD_BOT_TOKEN'],
      );
    }
    const shard = discordShard(env);
    const { DiscordAdapter } = await import('@gridbot/channels/discord');
    if (shard)
      logger.info({ shard: shard.id, shards: shard.count }, 'connecting one Discord shard');
    return new DiscordAdapter({
      ...(shard && { shard }),
      token: env.DISCORD_BOT_TOKEN,
      ...(env.DISCORD_API_BASE && { apiBase: env.DISCORD_API_BASE }),
      placeholderDrafts: env.STREAM_REPLIES === 'auto' || env.STREAM_REPLIES === 'edit',
      logger,
    });
  },
};
