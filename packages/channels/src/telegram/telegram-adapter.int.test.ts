import { createServer, type Server } from 'node:http';
import { asJid, type InboundEvent } from '@gridbot/core';
// The package root's CJS default export is mistyped under NodeNext; its own module is not.
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { freePort } from '../../../../tests/support/free-port.ts';
import { sendWebhookSecret } from '../../../../tests/support/telegram-fake.ts';
import { waitFor } from '../../../../tests/support/wait-for.ts';
import { TelegramAdapter, type TelegramAdapterOptions } from './telegram-adapter.ts';

const token = '123456:test-token';
const groupClientOptions = {
  type: 'group' as const,
  chatId: -100123,
  chatTitle: 'Team',
  userId: 42,
  firstName: 'Alice',
  userName: 'alice',
};

let server: TelegramServer;
let adapter: TelegramAdapter | null = null;
let webhookServer: Server | null = null;

beforeEach(async () => {
  server = new TelegramServer({ port: await freePort(), host: '127.0.0.1' });
  await server.start();
});

afterEach(async () => {
  await adapter?.stop();
  adapter = null;
  if (webhookServer !== null) {
    webhookServer.closeAllConnections();
    await new Promise((resolve) => webhookServer?.close(resolve));
    webhookServer = null;
  }
  await server.stop();
});

function makeAdapter(overrides: Partial<TelegramAdapterOptions> = {}): TelegramAdapter {
  adapter = new TelegramAdapter({
    token,
    apiRoot: server.config.apiURL,
    mode: 'polling',
    emptyPollDelayMs: 50,
    pollTimeoutSec: 0,
    logger: captureLogger().logger,
    ...overrides,
  });
  return adapter;
}

/** Serves `adapter.webhook` on a local port; returns the webhook URL. */
async function serveWebhook(target: TelegramAdapter, port: number): Promise<void> {
  const webhook = target.webhook;
  if (webhook === null) throw new Error('not in webhook mode');
  webhookServer = createServer((req, res) => {
    if (req.url === webhook.path) return webhook.handler(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => webhookServer?.listen(port, '127.0.0.1', resolve));
}

describe('TelegramAdapter in polling mode (telegram-test-api)', () => {
  it('receives a group message as an InboundMessage', async () => {
    const received: InboundEvent[] = [];
    const telegram = makeAdapter();
    await telegram.start(async (event) => {
      received.push(event);
    });
    expect(telegram.identity()).toEqual({ id: '666', username: 'TestNameBot' });

    const client = server.getClient(token, groupClientOptions);
    await client.sendMessage(client.makeMessage('@Andy hello'));
    await waitFor('the condition', () => received.length === 1);

    expect(received[0]).toEqual({
      kind: 'message',
      channel: 'telegram',
      chat: { jid: 'telegram:-100123', platformChatId: '-100123', title: 'Team', isGroup: true },
      sender: { platformUserId: '42', name: 'Alice', username: 'alice', isBot: false },
      platformMessageId: expect.stringMatching(/^\d+$/),
      text: '@Andy hello',
      replyTo: null,
      mentionsBot: false,
      sentAt: expect.any(Date),
      attachments: [],
    });
  });

  it('flags a mention of the bot’s username', async () => {
    const received: InboundEvent[] = [];
    await makeAdapter().start(async (event) => {
      received.push(event);
    });
    const client = server.getClient(token, groupClientOptions);
    await client.sendMessage(
      client.makeMessage('@TestNameBot status?', {
        entities: [{ type: 'mention', offset: 0, length: 12 }],
      }),
    );
    await waitFor('the condition', () => received.length === 1);
    expect(received[0]).toMatchObject({ kind: 'message', mentionsBot: true });
  });

  it('redelivers an update to a failing handler until it succeeds, in order, acknowledging it once', async () => {
    const attempts: { text: string; ok: boolean }[] = [];
    let failuresLeft = 2;
    await makeAdapter().start(async (event) => {
      const ok = failuresLeft === 0;
      attempts.push({ text: event.kind === 'message' ? event.text : '', ok });
      if (!ok) {
        failuresLeft -= 1;
        throw new Error('database down');
      }
    });
    const client = server.getClient(token, groupClientOptions);
    await client.sendMessage(client.makeMessage('first'));
    await client.sendMessage(client.makeMessage('second'));
    await waitFor('the condition', () => attempts.filter((a) => a.ok).length === 2);

    expect(attempts).toEqual([
      { text: 'first', ok: false },
      { text: 'first', ok: false },
      { text: 'first', ok: true },
      { text: 'second', ok: true },
    ]);
  });

  it('logs and skips a malformed update without throwing', async () => {
    const { logger, records } = captureLogger();
    const telegram = makeAdapter({ logger });
    const received: InboundEvent[] = [];
    await telegram.start(async (event) => {
      received.push(event);
    });
    await expect(telegram.handleUpdate({ update_id: 77, message: { chat: 1 } })).resolves.toBe(
      undefined,
    );
    await expect(telegram.handleUpdate('garbage')).resolves.toBe(undefined);
    const warnings = records.filter((r) => r.level === 40).map((r) => String(r.msg));
    expect(warnings).toEqual([
      expect.stringMatching(/malformed telegram update 77: message\.message_id/),
      expect.stringMatching(/malformed telegram update: an update must be an object/),
    ]);
    expect(received).toEqual([]);
  });

  it('refuses identity() before start with a clear error', () => {
    expect(() => makeAdapter().identity()).toThrow(/call `await adapter.start\(onEvent\)` first/);
  });
});

describe('TelegramAdapter in webhook mode (telegram-test-api)', () => {
  it('receives an update Telegram POSTs to the webhook, answering only after the handler ran', async () => {
    sendWebhookSecret(server);
    const port = await freePort();
    const received: InboundEvent[] = [];
    const telegram = makeAdapter({
      mode: 'webhook',
      webhook: { url: `http://127.0.0.1:${port}/tg`, secret: 'hook-secret', path: '/tg' },
    });
    await serveWebhook(telegram, port);
    await telegram.start(async (event) => {
      received.push(event);
    });

    const client = server.getClient(token, groupClientOptions);
    // addUserMessage awaits the webhook POST (and rejects on a non-2xx answer), so the event
    // is already handled when it resolves.
    await server.addUserMessage(client.makeMessage('hi via webhook'));
    expect(received).toMatchObject([{ kind: 'message', text: 'hi via webhook' }]);
  });

  it('answers 500 when the handler fails, so Telegram redelivers', async () => {
    sendWebhookSecret(server);
    const port = await freePort();
    const telegram = makeAdapter({
      mode: 'webhook',
      webhook: { url: `http://127.0.0.1:${port}/tg`, secret: 'hook-secret', path: '/tg' },
    });
    await serveWebhook(telegram, port);
    await telegram.start(async () => {
      throw new Error('database down');
    });
    const client = server.getClient(token, groupClientOptions);
    await expect(server.addUserMessage(client.makeMessage('lost?'))).rejects.toThrow(/500/);
  });

  it('checks the secret token: 401 when wrong, 400 on bad JSON, 200 when right', async () => {
    const port = await freePort();
    const received: InboundEvent[] = [];
    const telegram = makeAdapter({
      mode: 'webhook',
      webhook: { url: `http://127.0.0.1:${port}/tg`, secret: 's3cret_token', path: '/tg' },
    });
    await serveWebhook(telegram, port);
    await telegram.start(async (event) => {
      received.push(event);
    });
    const client = server.getClient(token, groupClientOptions);
    const update = {
      update_id: 900,
      message: { ...client.makeMessage('secret hi'), message_id: 5 },
    };
    const post = (secret: string | null, body: string) =>
      fetch(`http://127.0.0.1:${port}/tg`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }),
        },
        body,
      });

    expect((await post('wrong', JSON.stringify(update))).status).toBe(401);
    expect((await post(null, JSON.stringify(update))).status).toBe(401);
    // telegram-test-api sends no secret header, so its delivery is refused too.
    await expect(server.addUserMessage(client.makeMessage('no header'))).rejects.toThrow(/401/);
    expect(received).toEqual([]);

    expect((await post('s3cret_token', '{"update_id":')).status).toBe(400);
    expect((await post('s3cret_token', JSON.stringify(update))).status).toBe(200);
    expect(received).toMatchObject([
      { kind: 'message', text: 'secret hi', platformMessageId: '5' },
    ]);
  });
});

describe('TelegramAdapter.sendText (telegram-test-api)', () => {
  it('sends HTML-formatted text to the right chat, as a reply', async () => {
    const telegram = makeAdapter();
    await telegram.start(async () => {});
    const id = await telegram.sendText(asJid('telegram:-100123'), '**Done** <b>x</b> & `y`', {
      replyTo: '5',
    });

    expect(server.storage.botMessages).toHaveLength(1);
    const stored = server.storage.botMessages[0];
    expect(id).toBe(String(stored?.messageId));
    expect(stored?.message).toMatchObject({
      chat_id: -100123,
      text: '<b>Done</b> &lt;b&gt;x&lt;/b&gt; &amp; <code>y</code>',
      parse_mode: 'HTML',
      reply_parameters: { message_id: 5, allow_sending_without_reply: true },
      link_preview_options: { is_disabled: true },
    });
  });
});
