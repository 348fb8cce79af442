import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { PrivateRedis } from './support/private-redis.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -400100,
  type: 'supergroup',
  title: 'Outage',
  userId: 901,
  firstName: 'Ivan',
};

let h: PipelineHarness;
let redis: PrivateRedis;
let gateway: GridbotProcess;
let worker: GridbotProcess;

beforeAll(async () => {
  h = await PipelineHarness.create();
  redis = await PrivateRedis.start();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  gateway = await h.start(['gateway', '--channel', 'telegram'], { REDIS_URL: redis.url });
  worker = await h.start(['worker'], { REDIS_URL: redis.url });
});

afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

async function storedTexts(): Promise<string[]> {
  const rows = await h.db.db
    .selectFrom('messages')
    .select('content')
    .where('role', '=', 'user')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.content);
}

describe('Redis stopping while the gateway runs', () => {
  it('keeps storing messages in Postgres without crashing, and answers them when Redis returns', async () => {
    await h.telegram.say(chat, '@Andy before the outage');
    await waitFor('the first reply', () => h.telegram.botMessages(chat.chatId).length === 1);

    await redis.stop();
    await h.telegram.say(chat, '@Andy during the outage');
    await waitFor('the message stored in Postgres', async () =>
      (await storedTexts()).includes('@Andy during the outage'),
    );
    await sleep(1_000);
    expect(gateway.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    expect(h.telegram.botMessages(chat.chatId)).toHaveLength(1);
    expect(gateway.output()).toContain('cannot enqueue to Redis; messages are stored');

    await redis.start();
    const replies = await waitFor(
      'the reply after Redis returned',
      () => {
        const all = h.telegram.botMessages(chat.chatId);
        return all.length === 2 && all;
      },
      30_000,
    );
    expect(withoutTimes(replies[1]!.text)).toContain('[Ivan] @Andy during the outage');
    expect(gateway.output()).toContain('Redis is back');
  });
});
