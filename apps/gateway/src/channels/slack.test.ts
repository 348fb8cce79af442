import { createLogger } from '@gridbot/service';
import { describe, expect, it } from 'vitest';
import { parseGatewayEnv } from '../env.ts';
import { slackSetup } from './slack.ts';

const base = { DATABASE_URL: 'postgres://localhost/x' };
const BOT = 'xoxb-1234567890-abcdefghij';
const APP = 'xapp-1-A0GRIDBOT-1234567890-abcdef';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const logger = createLogger({ level: 'silent', name: 'test', destination: { write: () => {} } });

describe('the Slack settings', () => {
  it('read tokens, mode, path and Slack user id lists', () => {
    const env = parseGatewayEnv({
      ...base,
      SLACK_BOT_TOKEN: BOT,
      SLACK_APP_TOKEN: APP,
      SLACK_ALLOWED_USERS: 'U012AB3CD, W0ENTERPR1',
    });
    expect(env).toMatchObject({ SLACK_MODE: 'socket', SLACK_EVENTS_PATH: '/slack/events' });
    expect(env.SLACK_ALLOWED_USERS).toEqual(new Set(['U012AB3CD', 'W0ENTERPR1']));
    expect(slackSetup.configured(env)).toBe(true);
    expect(slackSetup.configured(parseGatewayEnv(base))).toBe(false);
  });

  it('name the variable and what it expects for each bad value', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [
        { SLACK_BOT_TOKEN: 'xoxp-user-token-1234' },
        /SLACK_BOT_TOKEN: expected the Bot User OAuth Token \(xoxb-…\)/,
      ],
      [
        { SLACK_APP_TOKEN: 'xoxb-1234567890-abc' },
        /SLACK_APP_TOKEN: expected an app-level token \(xapp-…\)/,
      ],
      [{ SLACK_MODE: 'webhook' }, /SLACK_MODE/],
      [
        { SLACK_SIGNING_SECRET: 'not a secret!' },
        /SLACK_SIGNING_SECRET: expected the Signing Secret/,
      ],
      [
        { SLACK_EVENTS_PATH: 'slack/events' },
        /SLACK_EVENTS_PATH: expected a path like \/slack\/events/,
      ],
      [{ SLACK_API_URL: 'slack.com/api' }, /SLACK_API_URL: expected a http or https URL/],
      [
        { SLACK_ALLOWED_USERS: '12345,67890' },
        /SLACK_ALLOWED_USERS: expected comma-separated Slack user ids like U012AB3CD/,
      ],
      [
        { SLACK_ADMIN_USERS: 'alice' },
        /SLACK_ADMIN_USERS: expected comma-separated Slack user ids/,
      ],
    ];
    for (const [vars, message] of bad) {
      expect(() => parseGatewayEnv({ ...base, ...vars })).toThrow(message);
    }
  });

  it('refuse to build the adapter without the token or secret its mode needs', async () => {
    await expect(slackSetup.create(parseGatewayEnv(base), logger)).rejects.toThrow(
      /SLACK_BOT_TOKEN is not set/,
    );
    await expect(
      slackSetup.create(parseGatewayEnv({ ...base, SLACK_BOT_TOKEN: BOT }), logger),
    ).rejects.toThrow(/SLACK_APP_TOKEN is not set: Socket Mode/);
    await expect(
      slackSetup.create(
        parseGatewayEnv({ ...base, SLACK_BOT_TOKEN: BOT, SLACK_MODE: 'http' }),
        logger,
      ),
    ).rejects.toThrow(/SLACK_SIGNING_SECRET is not set: SLACK_MODE=http verifies every request/);
    const http = await slackSetup.create(
      parseGatewayEnv({
        ...base,
        SLACK_BOT_TOKEN: BOT,
        SLACK_MODE: 'http',
        SLACK_SIGNING_SECRET: SECRET,
      }),
      logger,
    );
    expect(http.webhook?.path).toBe('/slack/events');
  });
});
