import { ConfigError } from '@gridbot/core';
import { secret, urlVar } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { staffIdList } from './id-list.ts';

/** DingTalk settings; the credentials are required only when the DingTalk gateway runs. */
export const dingtalkEnvShape = {
  DINGTALK_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{4,64}$/, {
      message: 'expected the app’s Client ID (AppKey) from the DingTalk developer console',
    })
    .optional(),
  DINGTALK_CLIENT_SECRET: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,256}$/, { message: 'expected the app’s Client Secret (AppSecret)' })
      .optional(),
  ),
  /** OpenAPI root (tests point it at a fake); the Stream endpoint is asked for here. */
  DINGTALK_API_BASE: urlVar(['http', 'https'], 'https://api.dingtalk.com').optional(),
  /** The legacy API's root, where files are uploaded. */
  DINGTALK_OAPI_BASE: urlVar(['http', 'https'], 'https://oapi.dingtalk.com').optional(),
  DINGTALK_RATE_LIMIT_PAUSE_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  DINGTALK_ALLOWED_USERS: staffIdList.optional(),
  /** DingTalk staff ids who may decide any approval (besides the main thread's users). */
  DINGTALK_ADMIN_USERS: staffIdList.optional(),
};

export const dingtalkSetup: ChannelSetup = {
  name: 'dingtalk',
  configured: (env) => Boolean(env.DINGTALK_CLIENT_ID && env.DINGTALK_CLIENT_SECRET),
  allowedUsers: (env) => env.DINGTALK_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.DINGTALK_ADMIN_USERS ?? new Set(),
  async create(env, logger) {
    for (const name of ['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET'] as const) {
      if (!env[name]) {
        throw new ConfigError(
          `${name} is not set: the DingTalk gateway needs the app’s Client ID and Client Secret (developer console → the app → Credentials & Basic Info).`,
          [name],
        );
      }
    }
    const { DingTalkAdapter } = await import('@gridbot/channels/dingtalk');
    return new DingTalkAdapter({
      clientId: env.DINGTALK_CLIENT_ID!,
      clientSecret: env.DINGTALK_CLIENT_SECRET!,
      ...(env.DINGTALK_API_BASE && { apiBase: env.DINGTALK_API_BASE }),
      ...(env.DINGTALK_OAPI_BASE && { oapiBase: env.DINGTALK_OAPI_BASE }),
      rateLimitPauseMs: env.DINGTALK_RATE_LIMIT_PAUSE_MS,
      logger,
    });
  },
};
