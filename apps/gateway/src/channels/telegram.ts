import { ConfigError } from '@gridbot/core';
import { secret, urlVar } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { numericIdList } from './id-list.ts';

/** Telegram settings; the token is required only when the Telegram gateway runs. */
export const telegramEnvShape = {
  TELEGRAM_BOT_TOKEN: secret(
    z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, {
        message: 'expected a bot token from @BotFather, like 123456:ABC-DEF…',
      })
      .optional(),
  ),
  TELEGRAM_API_ROOT: urlVar(['http', 'https'], 'https://api.telegram.org').default(
    'https://api.telegram.org',
  ),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_WEBHOOK_URL: urlVar(
    ['https', 'http'],
    'https://bot.example.com/telegram/webhook',
  ).optional(),
  TELEGRAM_WEBHOOK_SECRET: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, {
        message: 'expected 1-256 characters of A-Z, a-z, 0-9, "_" or "-"',
      })
      .optional(),
  ),
  TELEGRAM_ALLOWED_USERS: numericIdList.optional(),
  /** Telegram user ids who may decide any approval (besides the main thread's users). */
  TELEGRAM_ADMIN_USERS: numericIdList.optional(),
  /** Pause after an empty poll (only useful against test servers that ignore long polling). */
  TELEGRAM_POLL_IDLE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
};

export const telegramSetup: ChannelSetup = {
  name: 'telegram',
  configured: (env) => Boolean(env.TELEGRAM_BOT_TOKEN),
  allowedUsers: (env) => env.TELEGRAM_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.TELEGRAM_ADMIN_USERS ?? new Set(),
  async create(env, logger, context) {
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
      placeholderDrafts: env.STREAM_REPLIES === 'auto' || env.STREAM_REPLIES === 'edit',
      ...(env.TELEGRAM_WEBHOOK_URL && {
        webhook: {
          url: env.TELEGRAM_WEBHOOK_URL,
          secret: env.TELEGRAM_WEBHOOK_SECRET ?? webhookSecretFor(env.TELEGRAM_BOT_TOKEN),
          path: new URL(env.TELEGRAM_WEBHOOK_URL).pathname,
        },
      }),
      emptyPollDelayMs: env.TELEGRAM_POLL_IDLE_MS,
      // One poller per bot across gateways; the bot's id is the token's public half.
      ...(env.TELEGRAM_MODE === 'polling' &&
        context?.receiveLease && {
          receiveLease: context.receiveLease(`telegram:${env.TELEGRAM_BOT_TOKEN.split(':')[0]}`),
        }),
      logger,
    });
  },
};
