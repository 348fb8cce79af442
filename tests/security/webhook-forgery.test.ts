/**
 * An attacker who found the webhook URL posts "updates" as any user in any chat. The
 * gateway is started in webhook mode with no TELEGRAM_WEBHOOK_SECRET set: it must still
 * check a secret (one derived from the bot token, registered with setWebhook), refuse the
 * forgery with 401, store nothing and answer nothing, and keep answering Telegram itself.
 */
import { webhookSecretFor } from '@gridbot/channels/telegram';
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import { BOT_TOKEN, type ChatSpec, withoutTimes } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -500300,
  type: 'group',
  title: 'Guarded',
  userId: 960,
  firstName: 'Ines',
};

let h: PipelineHarness;
let webhookUrl: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}`, isMain: true });
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;
  await h.start(['gateway', '--channel', 'telegram'], {
    HEALTH_PORT: String(port),
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_URL: webhookUrl,
  });
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
});

let nextId = 31_000;
function update(text: string) {
  const id = nextId++;
  return JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat.chatId, type: 'group', title: chat.title },
      from: { id: chat.userId, is_bot: false, first_name: chat.firstName },
      text,
    },
  });
}

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function stored(text: string): Promise<number> {
  const rows = await h.db.db
    .selectFrom('messages')
    .select('id')
    .where('content', '=', text)
    .execute();
  return rows.length;
}

describe('a forged Telegram webhook request', () => {
  it('is refused with 401 and stored nowhere, though no secret was configured', async () => {
    const webhooks = (
      h.telegram.server as unknown as { webhooks: Record<string, { secret_token?: string }> }
    ).webhooks;
    // The gateway registered a secret of its own; it is not printed anywhere.
    expect(webhooks[BOT_TOKEN]?.secret_token).toBe(webhookSecretFor(BOT_TOKEN));

    const forged = ['@Andy forged, no header', '@Andy forged, wrong secret', '/pair ABC123'];
    expect((await post(update(forged[0]!))).status).toBe(401);
    const wrong = { 'x-telegram-bot-api-secret-token': 'guessed-secret' };
    expect((await post(update(forged[1]!), wrong)).status).toBe(401);
    expect((await post(update(forged[2]!), wrong)).status).toBe(401);
    for (const text of forged) expect(await stored(text)).toBe(0);

    // Telegram itself, with the registered secret, is answered; the forgeries never are.
    const genuine = { 'x-telegram-bot-api-secret-token': webhookSecretFor(BOT_TOKEN) };
    expect((await post(update('@Andy the real one'), genuine)).status).toBe(200);
    const replies = await waitFor('the reply to the genuine update', () => {
      const all = h.telegram.botMessages(chat.chatId);
      return all.length > 0 && all;
    });
    expect(replies).toHaveLength(1);
    expect(withoutTimes(replies[0]!.text)).toContain('@Andy the real one');
    for (const text of forged) expect(await stored(text)).toBe(0);
  });
});
