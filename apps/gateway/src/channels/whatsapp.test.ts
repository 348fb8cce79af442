import { createLogger } from '@gridbot/service';
import { describe, expect, it } from 'vitest';
import { parseGatewayEnv } from '../env.ts';
import { whatsappSetup } from './whatsapp.ts';

const base = { DATABASE_URL: 'postgres://localhost/x' };
const CREDENTIALS = {
  WHATSAPP_ACCESS_TOKEN: 'EAAGm0PX4ZCpsBAKZC0123456789abcdef',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_APP_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  WHATSAPP_VERIFY_TOKEN: 'a-verify-token',
};
const logger = createLogger({ level: 'silent', name: 'test', destination: { write: () => {} } });

describe('the WhatsApp settings', () => {
  it('read the credentials, the path, the template and numbers in any international form', () => {
    const env = parseGatewayEnv({
      ...base,
      ...CREDENTIALS,
      WHATSAPP_ALLOWED_USERS: '+49 151 12345678, 15550009876',
      WHATSAPP_REENGAGE_TEMPLATE: 'hello_again:de',
    });
    expect(env).toMatchObject({
      WHATSAPP_WEBHOOK_PATH: '/whatsapp/webhook',
      WHATSAPP_RATE_LIMIT_PAUSE_MS: 30_000,
    });
    expect(env.WHATSAPP_ALLOWED_USERS).toEqual(new Set(['4915112345678', '15550009876']));
    expect(whatsappSetup.configured(env)).toBe(true);
    expect(whatsappSetup.configured(parseGatewayEnv(base))).toBe(false);
  });

  it('name the variable and what it expects for each bad value', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [
        { WHATSAPP_ACCESS_TOKEN: 'short' },
        /WHATSAPP_ACCESS_TOKEN: expected a system user access token/,
      ],
      [
        { WHATSAPP_PHONE_NUMBER_ID: '+1 555 000' },
        /WHATSAPP_PHONE_NUMBER_ID: expected the Phone number ID/,
      ],
      [{ WHATSAPP_APP_SECRET: 'not a secret!' }, /WHATSAPP_APP_SECRET: expected the App secret/],
      [{ WHATSAPP_VERIFY_TOKEN: 'short' }, /WHATSAPP_VERIFY_TOKEN: expected a verify token/],
      [{ WHATSAPP_WEBHOOK_PATH: 'hook' }, /WHATSAPP_WEBHOOK_PATH: expected a path/],
      [
        { WHATSAPP_REENGAGE_TEMPLATE: 'Hello Again' },
        /WHATSAPP_REENGAGE_TEMPLATE: expected a template name/,
      ],
      [
        { WHATSAPP_ALLOWED_USERS: 'alice' },
        /WHATSAPP_ALLOWED_USERS: expected comma-separated phone numbers/,
      ],
      [
        { WHATSAPP_GRAPH_URL: 'graph.facebook.com' },
        /WHATSAPP_GRAPH_URL: expected a http or https URL/,
      ],
    ];
    for (const [vars, message] of bad) {
      expect(() => parseGatewayEnv({ ...base, ...vars })).toThrow(message);
    }
  });

  it('refuse to build the adapter while a credential is missing, the app secret above all', async () => {
    const { WHATSAPP_APP_SECRET: _, ...withoutSecret } = CREDENTIALS;
    await expect(
      whatsappSetup.create(parseGatewayEnv({ ...base, ...withoutSecret }), logger),
    ).rejects.toThrow(/WHATSAPP_APP_SECRET is not set: .*without it the gateway does not start/);
    await expect(whatsappSetup.create(parseGatewayEnv(base), logger)).rejects.toThrow(
      /WHATSAPP_ACCESS_TOKEN is not set/,
    );
    const adapter = await whatsappSetup.create(
      parseGatewayEnv({ ...base, ...CREDENTIALS }),
      logger,
    );
    expect(adapter.webhook?.path).toBe('/whatsapp/webhook');
    expect(adapter.redelivers).toBe(true);
  });
});
