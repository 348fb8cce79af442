import { ConfigError } from '@gridbot/core';
import { secret } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { openIdList } from './id-list.ts';

/** Feishu (Lark) settings; the credentials are required only when the Feishu gateway runs. */
export const feishuEnvShape = {
  FEISHU_APP_ID: z
    .string()
    .regex(/^cli_[A-Za-z0-9]{8,32}$/, {
      message: 'expected the app’s App ID (cli_…) from Credentials & Basic Info',
    })
    .optional(),
  FEISHU_APP_SECRET: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,128}$/, { message: 'expected the app’s App Secret' })
      .optional(),
  ),
  /** `feishu` (open.feishu.cn), `lark` (open.larksuite.com), or the root URL of another deployment. */
  FEISHU_DOMAIN: z
    .string()
    .regex(/^(feishu|lark|https?:\/\/[^\s/]+(:\d+)?)$/, {
      message: 'expected feishu, lark, or an http(s) root URL',
    })
    .default('feishu'),
  FEISHU_MODE: z.enum(['websocket', 'http']).default('websocket'),
  FEISHU_VERIFICATION_TOKEN: secret(z.string().min(8).max(128).optional()),
  FEISHU_ENCRYPT_KEY: secret(z.string().min(8).max(128).optional()),
  FEISHU_EVENTS_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, { message: 'expected a path like /feishu/events' })
    .default('/feishu/events'),
  FEISHU_RATE_LIMIT_PAUSE_MS: z.coerce.number().int().min(100).max(600_000).default(1_000),
  FEISHU_ALLOWED_USERS: openIdList.optional(),
  /** Feishu open ids who may decide any approval (besides the main thread's users). */
  FEISHU_ADMIN_USERS: openIdList.optional(),
};

export const feishuSetup: ChannelSetup = {
  name: 'feishu',
  configured: (env) => Boolean(env.FEISHU_APP_ID && env.FEISHU_APP_SECRET),
  allowedUsers: (env) => env.FEISHU_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.FEISHU_ADMIN_USERS ?? new Set(),
  async create(env, logger) {
    for (const name of ['FEISHU_APP_ID', 'FEISHU_APP_SECRET'] as const) {
      if (!env[name]) {
        throw new ConfigError(
          `${name} is not set: the Feishu gateway needs the app’s App ID and App Secret (developer console → the app → Credentials & Basic Info).`,
          [name],
        );
      }
    }
    if (env.FEISHU_MODE === 'http') {
      for (const name of ['FEISHU_VERIFICATION_TOKEN', 'FEISHU_ENCRYPT_KEY'] as const) {
        if (!env[name]) {
          throw new ConfigError(
            `${name} is not set: FEISHU_MODE=http checks every event with the Verification Token and the Encrypt Key (Events & Callbacks → Encryption Strategy); without them the gateway does not start. Or use FEISHU_MODE=websocket, which needs neither.`,
            [name],
          );
        }
      }
    }
    const { FeishuAdapter } = await import('@gridbot/channels/feishu');
    return new FeishuAdapter({
      appId: env.FEISHU_APP_ID!,
      appSecret: env.FEISHU_APP_SECRET!,
      domain: env.FEISHU_DOMAIN,
      mode: env.FEISHU_MODE,
      ...(env.FEISHU_VERIFICATION_TOKEN && { verificationToken: env.FEISHU_VERIFICATION_TOKEN }),
      ...(env.FEISHU_ENCRYPT_KEY && { encryptKey: env.FEISHU_ENCRYPT_KEY }),
      eventsPath: env.FEISHU_EVENTS_PATH,
      rateLimitPauseMs: env.FEISHU_RATE_LIMIT_PAUSE_MS,
      logger,
    });
  },
};
