import { ConfigError } from '@gridbot/core';
import { secret, urlVar } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { whatsappIdList } from './id-list.ts';

/** WhatsApp Cloud API settings; the credentials are required only when its gateway runs. */
export const whatsappEnvShape = {
  WHATSAPP_ACCESS_TOKEN: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9_.|-]{20,1024}$/, {
        message: 'expected a system user access token (EAA…) with whatsapp_business_messaging',
      })
      .optional(),
  ),
  WHATSAPP_PHONE_NUMBER_ID: z
    .string()
    .regex(/^\d{5,20}$/, {
      message:
        'expected the Phone number ID from WhatsApp → API Setup (digits), not the number itself',
    })
    .optional(),
  WHATSAPP_APP_SECRET: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9]{16,128}$/, {
        message: 'expected the App secret (hex) from App settings → Basic',
      })
      .optional(),
  ),
  WHATSAPP_VERIFY_TOKEN: secret(
    z
      .string()
      .regex(/^\S{8,256}$/, {
        message: 'expected a verify token of at least 8 characters, no spaces',
      })
      .optional(),
  ),
  WHATSAPP_WEBHOOK_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, { message: 'expected a path like /whatsapp/webhook' })
    .default('/whatsapp/webhook'),
  /** Graph API root with its version (tests point it at a fake). */
  WHATSAPP_GRAPH_URL: urlVar(['http', 'https'], 'https://graph.facebook.com/v23.0').optional(),
  /** An approved template sent when a reply misses the 24-hour window: `name` or `name:language`. */
  WHATSAPP_REENGAGE_TEMPLATE: z
    .string()
    .regex(/^[a-z0-9_]{1,512}(:[A-Za-z_]{2,10})?$/, {
      message:
        'expected a template name like hello_again, optionally with its language: hello_again:en_US',
    })
    .optional(),
  /** Pause of the outbound queue when WhatsApp reports a rate limit (it sends no Retry-After). */
  WHATSAPP_RATE_LIMIT_PAUSE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  WHATSAPP_ALLOWED_USERS: whatsappIdList.optional(),
  /** WhatsApp numbers who may decide any approval (besides the main thread's users). */
  WHATSAPP_ADMIN_USERS: whatsappIdList.optional(),
};

const REQUIRED = [
  ['WHATSAPP_ACCESS_TOKEN', 'a system user access token with whatsapp_business_messaging'],
  ['WHATSAPP_PHONE_NUMBER_ID', 'the Phone number ID from WhatsApp → API Setup'],
  [
    'WHATSAPP_APP_SECRET',
    'the App secret (App settings → Basic): every webhook is verified with it, and without it the gateway does not start',
  ],
  ['WHATSAPP_VERIFY_TOKEN', 'the verify token you enter with the callback URL'],
] as const;

export const whatsappSetup: ChannelSetup = {
  name: 'whatsapp',
  configured: (env) => Boolean(env.WHATSAPP_ACCESS_TOKEN),
  allowedUsers: (env) => env.WHATSAPP_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.WHATSAPP_ADMIN_USERS ?? new Set(),
  async create(env, logger) {
    for (const [name, what] of REQUIRED) {
      if (!env[name]) {
        throw new ConfigError(`${name} is not set: the WhatsApp gateway needs ${what}.`, [name]);
      }
    }
    const [templateName, language] = env.WHATSAPP_REENGAGE_TEMPLATE?.split(':') ?? [];
    const { WhatsAppAdapter } = await import('@gridbot/channels/whatsapp');
    return new WhatsAppAdapter({
      accessToken: env.WHATSAPP_ACCESS_TOKEN!,
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID!,
      appSecret: env.WHATSAPP_APP_SECRET!,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN!,
      webhookPath: env.WHATSAPP_WEBHOOK_PATH,
      ...(env.WHATSAPP_GRAPH_URL && { graphUrl: env.WHATSAPP_GRAPH_URL }),
      reengageTemplate: templateName ? { name: templateName, language: language ?? 'en_US' } : null,
      rateLimitPauseMs: env.WHATSAPP_RATE_LIMIT_PAUSE_MS,
      logger,
    });
  },
};
