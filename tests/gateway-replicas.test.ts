/**
 * Several Telegram gateways on one bot. Polling: only the holder of the bot's receive lease
 * calls `getUpdates` (each gateway reaches the Bot API through a relay of its own that
 * counts its calls); killed with SIGKILL, its standby takes over within 10 s, and with
 * Telegram redelivering what was never confirmed, every message is answered exactly once.
 * Webhook: three gateways behind a round-robin balancer, each update answered once even
 * when Telegram posts it again to another replica.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { type HttpRelay, startHttpRelay } from './support/http-relay.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const LEASE_MS = 3_000;
const polled: ChatSpec = {
  chatId: -800800,
  type: 'group',
  title: 'Replicas',
  userId: 997,
  firstName: 'Ravi',
};

let h: PipelineHarness;
const relays: HttpRelay[] = [];

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${polled.chatId}`, requiresTrigger: false });
  await h.start(['worker']);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await Promise.all(relays.map((relay) => relay.close()));
});

/** How often each text was answered in the chat (the echo agent repeats it). */
function answers(chatId: number, text: string): number {
  return h.telegram.botMessages(chatId).filter((m) => m.text.includes(text)).length;
}

async function sayAndAwait(chat: ChatSpec, text: string): Promise<void> {
  await h.telegram.say(chat, text);
  await waitFor(`an answer to "${text}"`, () => answers(chat.chatId, text) > 0, 30_000);
}

const polls = (relay: HttpRelay, since = 0) =>
  relay.requests.filter((r) => r.path.endsWith('/getUpdates') && r.at >= since).length;

describe('two Telegram gateways polling one bot', () => {
  it('polls from one at a time; the other takes over within 10 s of a kill -9, losing and repeating nothing', async () => {
    const gateways: Array<{ relay: HttpRelay; proc: GridbotProcess }> = [];
    for (let i = 0; i < 2; i++) {
      const relay = await startHttpRelay([h.telegram.apiRoot]);
      relays.push(relay);
      const proc = await h.start(['gateway', '--channel', 'telegram'], {
        TELEGRAM_API_ROOT: relay.url,
        RECEIVE_LEASE_MS: String(LEASE_MS),
      });
      gateways.push({ relay, proc });
    }
    await waitFor('one gateway to poll', () => gateways.some((g) => polls(g.relay) > 0), 10_000);
    const before = ['first words', 'second thoughts', 'third time'];
    for (const text of before) await sayAndAwait(polled, text);
    // Over two lease periods, only one of them asked Telegram for updates.
    const window = Date.now();
    await sleep(2 * LEASE_MS);
    const counts = gateways.map((g) => polls(g.relay, window));
    expect(
      counts.filter((n) => n > 0),
      JSON.stringify(counts),
    ).toHaveLength(1);
    const active = gateways.find((g) => polls(g.relay, window) > 0)!;
    const standby = gateways.find((g) => g !== active)!;
    expect(polls(standby.relay)).toBe(0);

    active.proc.child.kill('SIGKILL');
    await active.proc.exited;
    const killedAt = Date.now();
    // Telegram hands out again whatever was never confirmed; here, all it ever gave out.
    h.telegram.redeliverAll();
    await h.telegram.say(polled, 'after the crash');
    await waitFor('the standby to poll', () => polls(standby.relay) > 0, 10_000);
    console.log(`standby polled ${Date.now() - killedAt} ms after the kill`);
    await waitFor(
      'an answer after the crash',
      () => answers(polled.chatId, 'after the crash') > 0,
      30_000,
    );
    await sayAndAwait(polled, 'and once more');
    for (const text of [...before, 'after the crash', 'and once more']) {
      expect(answers(polled.chatId, text), text).toBe(1);
    }
  }, 120_000);
});

describe('three Telegram gateways behind a load balancer', () => {
  const SECRET = 'replica-webhook-secret';
  const hooked: ChatSpec = { ...polled, chatId: -800801, title: 'Balanced' };

  it('answers every update once, also one Telegram posts again to another replica', async () => {
    await registerThread(h.db.db, { jid: `telegram:${hooked.chatId}`, requiresTrigger: false });
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const balancer = await startHttpRelay(ports.map((port) => `http://127.0.0.1:${port}`));
    relays.push(balancer);
    const webhookUrl = `${balancer.url}/telegram/webhook`;
    await Promise.all(
      ports.map((port) =>
        h.start(['gateway', '--channel', 'telegram'], {
          HEALTH_PORT: String(port),
          TELEGRAM_MODE: 'webhook',
          TELEGRAM_WEBHOOK_URL: webhookUrl,
          TELEGRAM_WEBHOOK_SECRET: SECRET,
        }),
      ),
    );
    const post = (update: unknown) =>
      fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': SECRET,
        },
        body: JSON.stringify(update),
      });
    const texts = Array.from({ length: 9 }, (_, i) => `balanced message ${i + 1}`);
    for (const [i, text] of texts.entries()) {
      const update = {
        update_id: 70_000 + i,
        message: {
          message_id: 70_000 + i,
          date: Math.floor(Date.now() / 1000),
          chat: { id: hooked.chatId, type: 'group', title: hooked.title },
          from: { id: hooked.userId, is_bot: false, first_name: hooked.firstName },
          text,
        },
      };
      expect((await post(update)).status).toBe(200);
      // Every third one again, as Telegram does when an answer is late: the next replica gets it.
      if (i % 3 === 0) expect((await post(update)).status).toBe(200);
      await waitFor(`an answer to "${text}"`, () => answers(hooked.chatId, text) > 0, 30_000);
    }
    const served = new Set(balancer.requests.map((r) => r.target));
    expect(served.size).toBe(3);
    await sleep(1_000);
    for (const text of texts) expect(answers(hooked.chatId, text), text).toBe(1);
  }, 120_000);
});
