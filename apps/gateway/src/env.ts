import { readFileSync } from 'node:fs';
import { baseEnvShape, parseEnv, portVar } from '@gridbot/service';
import { z } from 'zod';
import { dingtalkEnvShape } from './channels/dingtalk.ts';
import { discordEnvShape } from './channels/discord.ts';
import { feishuEnvShape } from './channels/feishu.ts';
import { slackEnvShape } from './channels/slack.ts';
import { telegramEnvShape } from './channels/telegram.ts';
import { wecomEnvShape } from './channels/wecom.ts';
import { whatsappEnvShape } from './channels/whatsapp.ts';

/** `PLUGINS`: built-in names, package names or paths, comma-separated, each once. */
const pluginList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const twice = entries.find((entry, index) => entries.indexOf(entry) !== index);
    if (twice) ctx.addIssue({ code: 'custom', message: `lists ${JSON.stringify(twice)} twice` });
    return entries;
  });

/** `PLUGIN_CONFIG`: a JSON object keyed by plugin name, inline or in a file (its path). */
const pluginConfig = z
  .string()
  .default('')
  .transform((value, ctx): Record<string, unknown> => {
    const text = value.trim();
    if (text === '') return {};
    let json = text;
    if (!text.startsWith('{')) {
      try {
        json = readFileSync(text, 'utf8');
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a JSON object keyed by plugin name, or the path of a file holding one; cannot read ${JSON.stringify(text)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        });
        return {};
      }
    }
    try {
      const parsed: unknown = JSON.parse(json);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not valid JSON: ${(error as Error).message}` });
      return {};
    }
    ctx.addIssue({
      code: 'custom',
      message: 'expected a JSON object keyed by plugin name, e.g. {"auto-reply": {"rules": […]}}',
    });
    return {};
  });

/** Plugin settings of every gateway (see the README, "Plugins"). */
export const pluginEnvShape = {
  PLUGINS: pluginList,
  PLUGIN_CONFIG: pluginConfig,
  /** How long one plugin hook may take before it is skipped for that event. */
  PLUGIN_HOOK_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(5_000),
};

export const gatewayEnvSchema = z
  .object({
    ...baseEnvShape,
    ...telegramEnvShape,
    ...discordEnvShape,
    ...slackEnvShape,
    ...feishuEnvShape,
    ...dingtalkEnvShape,
    ...wecomEnvShape,
    ...whatsappEnvShape,
    ...pluginEnvShape,
    HEALTH_PORT: portVar(8081),
    /**
     * How a streamed reply shows while it is written: `auto` (and `edit`) the best each
     * platform offers, previews where it has them (Telegram private chats, the web chat),
     * elsewhere a placeholder message (Telegram groups, Discord) that the reply then
     * replaces; `draft` previews only; `off` shows typing only.
     */
    STREAM_REPLIES: z.enum(['auto', 'off', 'edit', 'draft']).default('auto'),
    /** Sends per second one gateway makes to its platform (Telegram allows about 30). */
    OUTBOUND_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(25),
    /** Chats one gateway sends to at once (a chat's replies always leave one by one, in order). */
    OUTBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /**
     * Messages addressing the assistant one person may send per thread and minute that
     * start runs (a thread's `user_triggers_per_minute` overrides it); 0: no limit.
     */
    USER_TRIGGERS_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(10),
    /**
     * With several gateways on one account where only one may receive (Telegram polling):
     * how long the receiver's lease lasts unrenewed, so how soon a standby takes over after
     * it died.
     */
    RECEIVE_LEASE_MS: z.coerce.number().int().min(1_000).max(300_000).default(6_000),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_MODE === 'webhook' && !env.TELEGRAM_WEBHOOK_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_URL'],
        message: 'required when TELEGRAM_MODE=webhook (the public URL Telegram posts updates to)',
      });
    }
  });
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** The gateway's settings from the environment; throws a ConfigError naming each bad variable. */
export function parseGatewayEnv(env: Record<string, string | undefined>): GatewayEnv {
  return parseEnv(gatewayEnvSchema, env);
}
