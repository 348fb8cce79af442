import { ConfigError } from '@gridbot/core';
import { secret, urlVar } from '@gridbot/service';
import { z } from 'zod';
import type { ChannelSetup } from './channel-setup.ts';
import { slackIdList } from './id-list.ts';

/** Slack settings; the tokens are required only when the Slack gateway runs. */
export const slackEnvShape = {
  SLACK_BOT_TOKEN: secret(
    z
      .string()
      .regex(/^xoxb-[A-Za-z0-9-]{10,250}$/, {
        message: 'expected the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
      })
      .optional(),
  ),
  SLACK_APP_TOKEN: secret(
    z
      .string()
      .regex(/^xapp-[A-Za-z0-9-]{10,250}$/, {
        message:
          'expected an app-level token (xapp-…) with connections:write, from Basic Information',
      })
      .optional(),
  ),
  SLACK_MODE: z.enum(['socket', 'http']).default('socket'),
  SLACK_SIGNING_SECRET: secret(
    z
      .string()
      .regex(/^[A-Za-z0-9]{16,128}$/, {
        message: 'expected the Signing Secret (hex) from Basic Information → App Credentials',
      })
      .optional(),
  ),
  SLACK_EVENTS_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, { message: 'expected a path like /slack/events' })
    .default('/slack/events'),
  /** Web API root (tests point it at a fake); the Socket Mode URL comes from apps.connections.open. */
  SLACK_API_URL: urlVar(['http', 'https'], 'https://slack.com/api/').optional(),
  SLACK_ALLOWED_USERS: slackIdList.optional(),
  /** Slack user ids who may decide any approval (besides the main thread's users). */
  SLACK_ADMIN_USERS: slackIdList.optional(),
};

export const slackSetup: ChannelSetup = {
  name: 'slack',
  configured: (env) => Boolean(env.SLACK_BOT_TOKEN),
  allowedUsers: (env) => env.SLACK_ALLOWED_USERS ?? new Set(),
  adminUsers: (env) => env.SLACK_ADMIN_USERS ?? new Set(),
  async create(env, logger) {
    if (!env.SLACK_BOT_TOKEN) {
      throw new ConfigError(
        'SLACK_BOT_TOKEN is not set: the Slack gateway needs the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.',
        ['SLACK_BOT_TOKEN'],
      );
    }
    if (env.SLACK_MODE === 'socket' && !env.SLACK_APP_TOKEN) {
      throw new ConfigError(
        'SLACK_APP_TOKEN is not set: Socket Mode (SLACK_MODE=socket, the default) needs an app-level token (xapp-…) with connections:write; or set SLACK_MODE=http with SLACK_SIGNING_SECRET.',
        ['SLACK_APP_TOKEN'],
      );
    }
    if (env.SLACK_MODE === 'http' && !env.SLACK_SIGNING_SECRET) {
      throw new ConfigError(
        'SLACK_SIGNING_SECRET is not set: SLACK_MODE=http verifies every request with the Signing Secret (Basic Information → App Credentials); without it the gateway does not start.',
        ['SLACK_SIGNING_SECRET'],
      );
    }
    const { SlackAdapter } = await import('@gridbot/channels/slack');
    return new SlackAdapter({
      botToken: env.SLACK_BOT_TOKEN,
      mode: env.SLACK_MODE,
      ...(env.SLACK_APP_TOKEN && { appToken: env.SLACK_APP_TOKEN }),
      ...(env.SLACK_SIGNING_SECRET && { signingSecret: env.SLACK_SIGNING_SECRET }),
      eventsPath: env.SLACK_EVENTS_PATH,
      ...(env.SLACK_API_URL && { apiUrl: env.SLACK_API_URL }),
      logger,
    });
  },
};
