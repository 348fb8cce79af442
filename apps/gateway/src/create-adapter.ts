import { type ChannelAdapter, TelegramAdapter } from '@gridbot/channels';
import { ConfigError } from '@gridbot/core';
import type { Logger } from '@gridbot/service';
import type { GatewayEnv } from './env.ts';

/** Channels this build can run a gateway for. */
export const SUPPORTED_CHANNELS = ['telegram'] as const;
export type SupportedChannel = (typeof SUPPORTED_CHANNELS)[number];

/** Channels whose credentials are present in the environment. */
export function configuredChannels(env: GatewayEnv): SupportedChannel[] {
  return env.TELEGRAM_BOT_TOKEN ? ['telegram'] : [];
}

/** Platform user ids allowed to use direct chats without pairing, per channel. */
export function allowedUsersFor(channel: SupportedChannel, env: GatewayEnv): ReadonlySet<string> {
  return channel === 'telegram' ? (env.TELEGRAM_ALLOWED_USERS ?? new Set()) : new Set();
}

/** Builds the adapter of one channel from the environment, or explains what is missing. */
export function createAdapter(channel: string, env: GatewayEnv, logger: Logger): ChannelAdapter {
  if (channel !== 'telegram') {
    throw new ConfigError(
      `Unknown channel ${JSON.stringify(channel)}. Supported: ${SUPPORTED_CHANNELS.join(', ')}.`,
      [],
    );
  }
  if (!env.TELEGRAM_BOT_TOKEN) {
    throw new ConfigError(
      'TELEGRAM_BOT_TOKEN is not set: the Telegram gateway needs the bot token from @BotFather.',
      ['TELEGRAM_BOT_TOKEN'],
    );
  }
  return new TelegramAdapter({
    token: env.TELEGRAM_BOT_TOKEN,
    apiRoot: env.TELEGRAM_API_ROOT,
    mode: env.TELEGRAM_MODE,
    ...(env.TELEGRAM_WEBHOOK_URL && {
      webhook: {
        url: env.TELEGRAM_WEBHOOK_URL,
        secret: env.TELEGRAM_WEBHOOK_SECRET ?? null,
        path: new URL(env.TELEGRAM_WEBHOOK_URL).pathname,
      },
    }),
    emptyPollDelayMs: env.TELEGRAM_POLL_IDLE_MS,
    logger,
  });
}
