import { LeaseLostError } from '@gridbot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import { finishRun, startRun } from '../repos/runs-repo.ts';
import { registerThread } from '../repos/threads-repo.ts';
import { commitRun } from './commit-run.ts';
import {
  acquireLease,
  leaseHolder,
  releaseLease,
  renewLease,
  takeOverLease,
} from './thread-lease.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function newThread(jid: string) {
  return registerThread(t.db, { jid });
}

describe('thread lease', () => {
  it('is exclusive, and each acquisition raises the fencing token', async () => {
    const thread = await newThread('telegram:-1');
    const a = await acquireLease(t.db, thread.id, 'worker-a', 60_000);
    expect(a).not.toBeNull();
    expect(await acquireLease(t.db, thread.id, 'worker-b', 60_000)).toBeNull();
    expect(await renewLease(t.db, a!, 60_000)).toBe(true);
    await releaseLease(t.db, a!);
    const b = await acquireLease(t.db, thread.id, 'worker-b', 60_000);
    expect(b!.token).toBe(a!.token + 1);
    expect(await renewLease(t.db, a!, 60_000)).toBe(false);
  });

  it('can be taken over from a holder known to be dead, before it expires', async () => {
    const thread = await newThread('telegram:-9');
    const dead = (await acquireLease(t.db, thread.id, 'worker-dead', 60_000))!;
    expect(await leaseHolder(t.db, thread.id)).toBe('worker-dead');
    expect(await takeOverLease(t.db, thread.id, 'someone-else', 'worker-b', 60_000)).toBeNull();
    const taken = await takeOverLease(t.db, thread.id, 'worker-dead', 'worker-b', 60_000);
    expect(taken!.token).toBe(dead.token + 1);
    expect(await renewLease(t.db, dead, 60_000)).toBe(false);
  });

  it("marks the earlier holder's unfinished runs failed when its lease is taken, and no other run", async () => {
    const thread = await newThread('telegram:-19');
    const other = await newThread('telegram:-20');
    const dead = (await acquireLease(t.db, thread.id, 'worker-dead', 60_000))!;
    const otherLease = (await acquireLease(t.db, other.id, 'worker-dead', 60_000))!;
    const run = (threadId: number, leaseToken: number) =>
      startRun(t.db, {
        threadId,
        trigger: 'message',
        worker: 'worker-dead',
        jobId: null,
        attempt: 1,
        leaseToken,
      });
    const orphan = await run(thread.id, dead.token);
    const elsewhere = await run(other.id, otherLease.token);
    const taken = await takeOverLease(t.db, thread.id, 'worker-dead', 'worker-b', 60_000);
    expect(taken!.diedRuns).toBe(1);
    const mine = await run(thread.id, taken!.token);
    const status = async (id: number) =>
      t.db
        .selectFrom('agent_runs')
        .select(['status', 'error', 'finished_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    expect(await status(orphan.id)).toMatchObject({ status: 'failed', error: 'worker died' });
    expect((await status(orphan.id)).finished_at).not.toBeNull();
    expect((await status(elsewhere.id)).status).toBe('running');
    // A run that finished is left as it is by the next acquisition.
    await finishRun(t.db, mine.id, 'succeeded', null);
    await releaseLease(t.db, taken!);
    const again = (await acquireLease(t.db, thread.id, 'worker-c', 60_000))!;
    expect(again.diedRuns).toBe(0);
    expect((await status(mine.id)).status).toBe('succeeded');
    // The other thread's lease is still held: nobody else gets it, its run stays running.
    expect(await acquireLease(t.db, other.id, 'worker-c', 60_000)).toBeNull();
    expect((await status(elsewhere.id)).status).toBe('running');
  });

  it('fences a run whose expired lease was taken over: it commits nothing', async () => {
    const thread = await newThread('telegram:-2');
    const stale = (await acquireLease(t.db, thread.id, 'worker-a', 60_000))!;
    const run = await startRun(t.db, {
      threadId: thread.id,
      trigger: 'message',
      worker: 'worker-a',
      jobId: null,
      attempt: 1,
      leaseToken: stale.token,
    });
    await t.db
      .updateTable('threads')
      .set({ lease_expires_at: new Date(Date.now() - 1000) })
      .execute();
    const fresh = await acquireLease(t.db, thread.id, 'worker-b', 60_000);
    expect(fresh).not.toBeNull();

    const attempt = commitRun(t.db, {
      lease: stale,
      runId: run.id,
      channel: 'telegram',
      jid: thread.jid,
      replies: [{ text: 'too late', replyTo: null }],
      cursor: 99,
      tokens: { input: 1, output: 1 },
    });
    await expect(attempt).rejects.toThrow(LeaseLostError);
    const outbox = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('thread_id', '=', thread.id)
      .execute();
    expect(outbox).toEqual([]);
    const after = await t.db
      .selectFrom('threads')
      .select('cursor')
      .where('id', '=', thread.id)
      .executeTakeFirstOrThrow();
    expect(after.cursor).toBe(0);
  });

  it('commits replies, cursor and run in one go for the holder', async () => {
    const thread = await newThread('telegram:-3');
    const lease = (await acquireLease(t.db, thread.id, 'worker-a', 60_000))!;
    const run = await startRun(t.db, {
      threadId: thread.id,
      trigger: 'message',
      worker: 'worker-a',
      jobId: null,
      attempt: 1,
      leaseToken: lease.token,
    });
    const rows = await commitRun(t.db, {
      lease,
      runId: run.id,
      channel: 'telegram',
      jid: thread.jid,
      replies: [{ text: 'hi', replyTo: '5' }],
      cursor: 42,
      tokens: { input: 3, output: 4 },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', payload: { text: 'hi', replyTo: '5' } });
    const saved = await t.db
      .selectFrom('agent_runs')
      .selectAll()
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ status: 'succeeded', input_tokens: 3, output_tokens: 4 });
    const after = await t.db
      .selectFrom('threads')
      .select('cursor')
      .where('id', '=', thread.id)
      .executeTakeFirstOrThrow();
    expect(after.cursor).toBe(42);
  });
});
