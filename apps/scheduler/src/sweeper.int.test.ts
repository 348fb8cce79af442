import { insertMessage, registerThread } from '@gridbot/db';
import { THREADS_QUEUE } from '@gridbot/queue';
import { createLogger } from '@gridbot/service';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../tests/support/test-database.ts';
import { TRANSPORT_KINDS, useTestTransport } from '../../../tests/support/test-transport.ts';
import { sweep } from './sweeper.ts';

const log = createLogger({ level: 'silent', name: 'sweeper-test' });
const DEAD = 'worker-gone-1';

/** A thread with a triggering message stored `ageMs` ago and not answered. */
async function threadWithOldMessage(t: TestDatabase, ageMs: number) {
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

describe.each(TRANSPORT_KINDS)('the sweeper (queues on %s)', (kind) => {
  const on = useTestTransport(kind);

  it('rescues a thread whose drain job a dead worker still holds, though no lease is held', async () => {
    const thread = await threadWithOldMessage(on.t, 5_000);
    await on.queues.enqueueDrain(thread.id);
    // A worker takes the drain job and dies with it (no lease taken, or already released):
    // BullMQ keeps the job active, under the dead worker's name, until its lock expires.
    let taken!: () => void;
    const tookIt = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const doomed = on.tt.transport.createWorker(
      THREADS_QUEUE,
      async () => {
        taken();
        await new Promise(() => {});
      },
      { name: DEAD, lockDuration: 60_000 },
    );
    await tookIt;
    await doomed.close(true);
    expect(await on.queues.activeDrainWorker(thread.id)).toBe(DEAD);

    const result = await sweep({
      db: on.t.db,
      queues: on.queues,
      outboxGraceMs: 10_000,
      staleInstanceMs: 60_000,
      isOwnerAlive: async (owner) => owner !== DEAD,
      logger: log,
    });
    expect(result.rescued).toBe(1);
    const waiting = await on.queues.queue(THREADS_QUEUE).getJobs(['waiting']);
    expect(waiting.map((job) => [job.name, job.data.threadId])).toEqual([['rescue', thread.id]]);

    // While the holder lives, the thread waits for it: nothing is rescued.
    const alive = await sweep({
      db: on.t.db,
      queues: on.queues,
      outboxGraceMs: 10_000,
      staleInstanceMs: 60_000,
      isOwnerAlive: async () => true,
      logger: log,
    });
    expect(alive.rescued).toBe(0);
    expect(await on.queues.queue(THREADS_QUEUE).getJobs(['waiting'])).toHaveLength(1);
  });
});
