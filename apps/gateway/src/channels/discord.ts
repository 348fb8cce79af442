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
};

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
    const { DiscordAdapter } = await import('@gridbot/channels/discord');
    return new DiscordAdapter({
      token: env.DISCORD_BOT_TOKEN,
      ...(env.DISCORD_API_BASE && { apiBase: env.DISCORD_API_BASE }),
      placeholderDrafts: env.STREAM_REPLIES === 'auto' || env.STREAM_REPLIES === 'edit',
      logger,
    });
  },
};
