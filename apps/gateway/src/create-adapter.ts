import type { ChannelAdapter } from '@gridbot/channels';
import { ConfigError } from '@gridbot/core';
import type { Logger } from '@gridbot/service';
import type { GatewayEnv } from './env.ts';

/** Channels this build can run a gateway for. */
export const SUPPORTED_CHANNELS = ['telegram', 'discord'] as const;
export type SupportedChannel = (typeof SUPPORTED_CHANNELS)[number];

/** Channels whose credentials are present in the environment. */
export function configuredChannels(env: GatewayEnv): SupportedChannel[] {
  return SUPPORTED_CHANNELS.filter((channel) =>
    channel === 'telegram' ? Boolean(env.TELEGRAM_BOT_TOKEN) : Boolean(env.DISCORD_BOT_TOKEN),
  );
}

/** Platform user ids allowed to use direct chats without pairing, per channel. */
export function allowedUsersFor(channel: string, env: GatewayEnv): ReadonlySet<string> {
  if (channel === 'telegram') return env.TELEGRAM_ALLOWED_USERS ?? new Set();
  if (channel === 'discord') return env.DISCORD_ALLOWED_USERS ?? new Set();
  return new Set();
}

/** Platform user ids who may decide any approval, per channel (`<CHANNEL>_ADMIN_USERS`). */
export function adminUsersFor(channel: string, env: GatewayEnv): ReadonlySet<string> {
  if (channel === 'telegram') return env.TELEGRAM_ADMIN_USERS ?? new Set();
  if (channel === 'discord') return env.DISCORD_ADMIN_USERS ?? new Set();
  return new Set();
}

/**
 * Builds the adapter of one channel from the environment, or explains what is missing. Only
 * that channel's SDK is loaded (a Telegram gateway never loads discord.js).
 */
export async function createAdapter(
  channel: string,
  env: GatewayEnv,
  logger: Logger,
): Promise<ChannelAdapter> {
  if (channel === 'telegram') return telegramAdapter(env, logger);
  if (channel === 'discord') {
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
      logger,
    });
  }
  throw new ConfigError(
    `Unknown channel ${JSON.stringify(channel)}. Supported: ${SUPPORTED_CHANNELS.join(', ')}.`,
    [],
  );
}

async function telegramAdapter(env: GatewayEnv, logger: Logger): Promise<ChannelAdapter> {
  if (!env.TELEGRAM_BOT_TOKEN) {
    throw new ConfigError(
      'TELEGRAM_BOT_TOKEN is not set: the Telegram gateway needs the bot token from @BotFather.',
      ['TELEGRAM_BOT_TOKEN'],
    );
  }
  const { TelegramAdapter, webhookSecretFor } = await import('@gridbot/channels/telegram');
  if (env.TELEGRAM_MODE === 'webhook' && !env.TELEGRAM_WEBHOOK_SECRET)
    logger.info(
      'TELEGRAM_WEBHOOK_SECRET is not set: the webhook checks a secret derived from the bot token, registered with setWebhook',
    );
  return new TelegramAdapter({
    token: env.TELEGRAM_BOT_TOKEN,
    apiRoot: env.TELEGRAM_API_ROOT,
    mode: env.TELEGRAM_MODE,
    ...(env.TELEGRAM_WEBHOOK_URL && {
      webhook: {
        url: env.TELEGRAM_WEBHOOK_URL,
        secret: env.TELEGRAM_WEBHOOK_SECRET ?? webhookSecretFor(env.TELEGRAM_BOT_TOKEN),
        path: new URL(env.TELEGRAM_WEBHOOK_URL).pathname,
      },
    }),
    emptyPollDelayMs: env.TELEGRAM_POLL_IDLE_MS,
    logger,
  });
}
