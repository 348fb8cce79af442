import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { BOT_TOKEN, type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const SECRET = 'webhook-secret_123';
const chat: ChatSpec = {
  chatId: -500100,
  type: 'group',
  title: 'Hooks',
  userId: 950,
  firstName: 'Hana',
};

let h: PipelineHarness;
let gateway: GridbotProcess;
let webhookUrl: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;
  gateway = await h.start(['gateway', '--channel', 'telegram'], {
    HEALTH_PORT: String(port),
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_URL: webhookUrl,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
});

let nextId = 9_000;
function update(text: string, messageId = nextId++) {
  return {
    update_id: messageId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat.chatId, type: 'group', title: chat.title },
      from: { id: chat.userId, is_bot: false, first_name: chat.firstName },
      text,
    },
  };
}

function post(body: unknown, secret = SECRET) {
  return fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the Telegram gateway in webhook mode', () => {
  it('registers its webhook and answers a message Telegram posts to it', async () => {
    // The fake does not send the secret header itself, so the test posts as Telegram would.
    const webhooks = (h.telegram.server as unknown as { webhooks: Record<string, { url: string }> })
      .webhooks;
    expect(webhooks[BOT_TOKEN]?.url).toBe(webhookUrl);
    expect((await post(update('@Andy via webhook'))).status).toBe(200);
    const [reply] = await waitFor('a reply', () => {
      const all = h.telegram.botMessages(chat.chatId);
      return all.length > 0 && all;
    });
    expect(withoutTimes(reply!.text)).toContain('[Hana] @Andy via webhook');
  });

  it('acknowledges a redelivered update again but stores and answers it once', async () => {
    const before = h.telegram.botMessages(chat.chatId).length;
    const same = update('@Andy deliver me twice');
    expect((await post(same)).status).toBe(200);
    await waitFor('the reply', () => h.telegram.botMessages(chat.chatId).length === before + 1);
    expect((await post(same)).status).toBe(200);
    await sleep(1_500);
    expect(h.telegram.botMessages(chat.chatId)).toHaveLength(before + 1);
    const stored = await h.db.db
      .selectFrom('messages')
      .select('id')
      .where('content', '=', '@Andy deliver me twice')
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('refuses a wrong secret and malformed JSON, skips a malformed update, and keeps answering', async () => {
    expect((await post(update('@Andy forged'), 'wrong-secret')).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ update_id: 31337, message: { chat: 'nope', text: 42 } })).status).toBe(
      200,
    );
    expect((await post({ update_id: 31338, callback_query: { id: 'x' } })).status).toBe(200);
    await waitFor('a warning about the malformed update', () => gateway.output().includes('31337'));

    const before = h.telegram.botMessages(chat.chatId).length;
    expect((await post(update('@Andy still there?'))).status).toBe(200);
    const replies = await waitFor('the next reply', () => {
      const all = h.telegram.botMessages(chat.chatId);
      return all.length > before && all;
    });
    expect(withoutTimes(replies.at(-1)!.text)).toContain('[Hana] @Andy still there?');
    const forged = await h.db.db
      .selectFrom('messages')
      .select('id')
      .where('content', '=', '@Andy forged')
      .execute();
    expect(forged).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
  });
});
