import { insertMessage, registerThread } from '@gridbot/db';
import { createRedisConnection, PipelineQueues, THREADS_QUEUE } from '@gridbot/queue';
import { createLogger } from '@gridbot/service';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { createTestRedis, type TestRedis } from '../../../tests/support/test-redis.ts';
import { sweep } from './sweeper.ts';

let t: TestDatabase;
let r: TestRedis;
let connection: Redis;
let queues: PipelineQueues;
beforeAll(async () => {
  t = await createTestDatabase();
  r = createTestRedis();
  connection = createRedisConnection({ url: r.url, purpose: 'producer' });
  queues = new PipelineQueues({ connection, prefix: r.prefix });
});
afterAll(async () => {
  connection?.disconnect();
  await r?.cleanup();
  await t?.drop();
});

const log = createLogger({ level: 'silent', name: 'sweeper-test' });
const DEAD = 'worker-gone-1';

/** A thread with a triggering message stored `ageMs` ago and not answered. */
async function threadWithOldMessage(ageMs: number) {
  const thread = await registerThread(t.db, { jid: `telegram:-${Date.now()}` });
  const { message } = await insertMessage(t.db, {
    threadId: thread.id,
    platformMessageId: `m-${thread.id}`,
    senderId: null,
    senderName: 'Ann',
    role: 'user',
    content: '@Andy hello',
    replyTo: null,
    triggers: true,
    sentAt: new Date(),
  });
  await t.db
    .updateTable('messages')
    .set({ created_at: sql<Date>`now() - ${`${ageMs} milliseconds`}::interval` })
    .where('id', '=', message.id)
    .execute();
  return thread;
}

describe('the sweeper', () => {
  it('rescues a thread whose drain job a dead worker still holds, though no lease is held', async () => {
    const thread = await threadWithOldMessage(5_000);
    await queues.enqueueDrain(thread.id);
    // A worker takes the drain job and dies with it (no lease taken, or already released):
    // BullMQ keeps the job active, under the dead worker's name, until its lock expires.
    let taken!: () => void;
    const tookIt = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const blocking = createRedisConnection({ url: r.url, purpose: 'worker' });
    const doomed = new Worker(
      THREADS_QUEUE,
      async () => {
        taken();
        await new Promise(() => {});
      },
      { name: DEAD, connection: blocking, prefix: r.prefix, lockDuration: 60_000 },
    );
    await tookIt;
    await doomed.close(true);
    blocking.disconnect();
    expect(await queues.activeDrainWorker(thread.id)).toBe(DEAD);

    const result = await sweep({
      db: t.db,
      queues,
      outboxGraceMs: 10_000,
      staleInstanceMs: 60_000,
      isOwnerAlive: async (owner) => owner !== DEAD,
      logger: log,
    });
    expect(result.rescued).toBe(1);
    const waiting = await queues.queue(THREADS_QUEUE).getJobs(['waiting']);
    expect(waiting.map((job) => [job.name, job.data.threadId])).toEqual([['rescue', thread.id]]);

    // While the holder lives, the thread waits for it: nothing is rescued.
    const alive = await sweep({
      db: t.db,
      queues,
      outboxGraceMs: 10_000,
      staleInstanceMs: 60_000,
      isOwnerAlive: async () => true,
      logger: log,
    });
    expect(alive.rescued).toBe(0);
    expect(await queues.queue(THREADS_QUEUE).getJobs(['waiting'])).toHaveLength(1);
  });
});
