import { ConfigError } from '@gridbot/core';
import { secret, urlVar } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { weComIdList } from './id-list.ts';

const REQUIRED = [
  'WECOM_CORP_ID',
  'WECOM_AGENT_ID',
  'WECOM_SECRET',
  'WECOM_TOKEN',
  'WECOM_ENCODING_AES_KEY',
] as const;

/** WeCom settings; they are required only when the WeCom gateway runs. */
export const wecomEnvShape = {
  WECOM_CORP_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{4,64}$/, {
      message: 'expected the CorpID (My Company → Company Information)',
    })
    .optional(),
  WECOM_AGENT_ID: z
    .string()
    .regex(/^\d{1,12}$/, { message: 'expected the app’s AgentId, a number' })
    .optional(),
  WECOM_SECRET: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,128}$/, { message: 'expected the app’s Secret' })
      .optional(),
  ),
  WECOM_TOKEN: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9]{1,32}$/, {
        message: 'expected the callback Token (letters and digits, at most 32)',
      })
      .optional(),
  ),
  WECOM_ENCODING_AES_KEY: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, {
        message: 'expected the callback EncodingAESKey: 43 letters and digits',
      })
      .optional(),
  ),
  WECOM_CALLBACK_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, { message: 'expected a path like /wecom/callback' })
    .default('/wecom/callback'),
  WECOM_API_BASE: urlVar(['http', 'https'], 'https://qyapi.weixin.qq.com').optional(),
  WECOM_RATE_LIMIT_PAUSE_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  WECOM_ALLOWED_USERS: weComIdList.optional(),
  /** WeCom user ids who may decide any approval (besides the main thread's users). */
  WECOM_ADMIN_USERS: weComIdList.optional(),
};

export const wecomSetup: ChannelSetup = {
  name: 'wecom',
  configured: (env) => REQUIRED.every((name) => Boolean(env[name])),
  allowedUsers: (env) => env.WECOM_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.WECOM_ADMIN_USERS ?? new Set(),
  async create(env, logger) {
    for (const name of REQUIRED) {
      if (!env[name]) {
        throw new ConfigError(
          `${name} is not set: the WeCom gateway needs the CorpID, the app’s AgentId and Secret, and the callback’s Token and EncodingAESKey (the app → Receive Messages → Set API receiving); without the last two nothing it receives could be checked.`,
          [name],
        );
      }
    }
    const { WeComAdapter } = await import('@gridbot/channels/wecom');
    return new WeComAdapter({
      corpId: env.WECOM_CORP_ID!,
      agentId: env.WECOM_AGENT_ID!,
      secret: env.WECOM_SECRET!,
      token: env.WECOM_TOKEN!,
      encodingAESKey: env.WECOM_ENCODING_AES_KEY!,
      callbackPath: env.WECOM_CALLBACK_PATH,
      ...(env.WECOM_API_BASE && { apiBase: env.WECOM_API_BASE }),
      rateLimitPauseMs: env.WECOM_RATE_LIMIT_PAUSE_MS,
      logger,
    });
  },
};
