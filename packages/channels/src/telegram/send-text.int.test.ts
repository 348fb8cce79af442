import { asJid, PlatformRateLimitError } from '@gridbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  captureLogger,
  type FakeBotApi,
  type FakeMethod,
  startFakeBotApi,
} from '../../../../tests/support/fake-bot-api.ts';
import { TelegramAdapter } from './telegram-adapter.ts';

let fake: FakeBotApi | null = null;

afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function adapterAgainst(sendMessage: FakeMethod): Promise<TelegramAdapter> {
  fake = await startFakeBotApi({ sendMessage });
  return new TelegramAdapter({
    token: '1:fake',
    apiRoot: fake.apiRoot,
    mode: 'polling',
    logger: captureLogger().logger,
  });
}

const jid = asJid('telegram:-100123');
const sent = (id: number) => ({
  json: {
    ok: true,
    result: { message_id: id, date: 1, chat: { id: -100123, type: 'supergroup' } },
  },
});

describe('sendText against a Bot API that refuses things', () => {
  it('resends the original text unformatted when Telegram cannot parse the entities', async () => {
    const telegram = await adapterAgainst((body) =>
      body.parse_mode === undefined
        ? sent(31)
        : {
            status: 400,
            json: {
              ok: false,
              error_code: 400,
              description:
                'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
            },
          },
    );
    const text = '**hello** <x> world';
    await expect(telegram.sendText(jid, text, { replyTo: '9' })).resolves.toBe('31');

    const calls = fake?.calls.filter((call) => call.method === 'sendMessage') ?? [];
    expect(calls).toHaveLength(2);
    expect(calls[0]?.body).toMatchObject({
      parse_mode: 'HTML',
      text: '<b>hello</b> &lt;x&gt; world',
    });
    expect(calls[1]?.body).toMatchObject({
      chat_id: -100123,
      text,
      reply_parameters: { message_id: 9, allow_sending_without_reply: true },
    });
    expect(calls[1]?.body).not.toHaveProperty('parse_mode');
  });

  it('turns 429 into PlatformRateLimitError with retry_after in milliseconds', async () => {
    const telegram = await adapterAgainst(() => ({
      status: 429,
      json: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 3',
        parameters: { retry_after: 3 },
      },
    }));
    const error = await telegram.sendText(jid, 'hi', { replyTo: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformRateLimitError);
    expect((error as PlatformRateLimitError).retryAfterMs).toBe(3000);
  });

  it('lets other errors through without resending', async () => {
    const telegram = await adapterAgainst(() => ({
      status: 403,
      json: {
        ok: false,
        error_code: 403,
        description: 'Forbidden: bot was kicked from the group chat',
      },
    }));
    await expect(telegram.sendText(jid, 'hi', { replyTo: null })).rejects.toThrow(/bot was kicked/);
    expect(fake?.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(1);
  });
});
