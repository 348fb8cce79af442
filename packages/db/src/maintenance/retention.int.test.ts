import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import type { Database } from '../database.ts';
import { deleteInactiveThreads } from './retention.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

/** A thread idle for `idleDays`, with one row in every table that hangs off a thread. */
async function seedThread(
  db: Kysely<Database>,
  jid: string,
  idleDays: number,
  extra: { isMain?: boolean; taskStatus?: 'active' | 'completed'; leaseUntil?: Date } = {},
): Promise<{ threadId: number; runId: number }> {
  const { id: threadId } = await db
    .insertInto('threads')
    .values({
      jid,
      channel: 'telegram',
      platform_chat_id: jid.split(':')[1] ?? jid,
      is_group: true,
      config: '{}',
      is_main: extra.isMain ?? false,
      lease_owner: extra.leaseUntil ? 'worker-1' : null,
      lease_expires_at: extra.leaseUntil ?? null,
      last_activity: daysAgo(idleDays),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { id: messageId } = await db
    .insertInto('messages')
    .values({
      thread_id: threadId,
      platform_message_id: '1',
      sender_name: 'Ann',
      role: 'user',
      content: 'hello',
      sent_at: daysAgo(idleDays),
      metadata: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('artifacts')
    .values({ thread_id: threadId, message_id: messageId, kind: 'image', url: 'x', metadata: '{}' })
    .execute();
  const { id: runId } = await db
    .insertInto('agent_runs')
    .values({
      thread_id: threadId,
      trigger: 'message',
      status: 'succeeded',
      worker: 'w',
      attempt: 1,
      lease_token: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('outbox')
    .values({
      thread_id: threadId,
      run_id: runId,
      channel: 'telegram',
      jid,
      payload: JSON.stringify({ text: 'hi', replyTo: null }),
      platform_message_ids: '[]',
    })
    .execute();
  const { id: taskId } = await db
    .insertInto('scheduled_tasks')
    .values({
      thread_id: threadId,
      prompt: 'remind',
      schedule_kind: 'once',
      schedule_value: daysAgo(idleDays).toISOString(),
      status: extra.taskStatus ?? 'completed',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('task_runs')
    .values({ task_id: taskId, run_id: runId, run_at: daysAgo(idleDays), status: 'succeeded' })
    .execute();
  await db
    .insertInto('approvals')
    .values({ thread_id: threadId, run_id: runId, proposal: JSON.stringify({ kind: 'x' }) })
    .execute();
  await db.insertInto('memories').values({ thread_id: threadId, content: 'likes tea' }).execute();
  await db
    .insertInto('token_ledger')
    .values({
      scope: 'thread',
      thread_id: threadId,
      run_id: runId,
      provider: 'echo',
      model: 'echo',
      input_tokens: 10,
      output_tokens: 5,
    })
    .execute();
  return { threadId, runId };
}

async function rowsOf(db: Kysely<Database>, threadId: number) {
  const count = async (
    table:
      | 'messages'
      | 'artifacts'
      | 'agent_runs'
      | 'outbox'
      | 'approvals'
      | 'memories'
      | 'scheduled_tasks',
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('thread_id', '=', threadId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    thread: (await db.selectFrom('threads').select('id').where('id', '=', threadId).execute())
      .length,
    messages: await count('messages'),
    artifacts: await count('artifacts'),
    runs: await count('agent_runs'),
    outbox: await count('outbox'),
    approvals: await count('approvals'),
    memories: await count('memories'),
    tasks: await count('scheduled_tasks'),
  };
}

describe('deleteInactiveThreads', () => {
  it('deletes a thread idle 91 days with its data, keeps one idle 89 days, the main thread and the ledger', async () => {
    const old = await seedThread(t.db, 'telegram:-91', 91);
    const recent = await seedThread(t.db, 'telegram:-89', 89);
    const main = await seedThread(t.db, 'telegram:1', 400, { isMain: true });
    await t.db.insertInto('memories').values({ thread_id: null, content: 'global' }).execute();

    const result = await deleteInactiveThreads(t.db, { olderThanDays: 90, now });

    expect(result).toEqual({
      threads: 1,
      messages: 1,
      artifacts: 1,
      runs: 1,
      outbox: 1,
      tasks: 1,
      taskRuns: 1,
      approvals: 1,
      memories: 1,
    });
    expect(await rowsOf(t.db, old.threadId)).toEqual({
      thread: 0,
      messages: 0,
      artifacts: 0,
      runs: 0,
      outbox: 0,
      approvals: 0,
      memories: 0,
      tasks: 0,
    });
    const full = {
      thread: 1,
      messages: 1,
      artifacts: 1,
      runs: 1,
      outbox: 1,
      approvals: 1,
      memories: 1,
      tasks: 1,
    };
    expect(await rowsOf(t.db, recent.threadId)).toEqual(full);
    expect(await rowsOf(t.db, main.threadId)).toEqual(full);
    const taskRuns = await t.db.selectFrom('task_runs').select('run_id').execute();
    expect(taskRuns.map((r) => r.run_id).sort()).toEqual([recent.runId, main.runId].sort());

    const ledger = await t.db
      .selectFrom('token_ledger')
      .select(['thread_id', 'run_id', 'input_tokens'])
      .orderBy('id')
      .execute();
    expect(ledger).toEqual([
      { thread_id: null, run_id: null, input_tokens: 10 },
      { thread_id: recent.threadId, run_id: recent.runId, input_tokens: 10 },
      { thread_id: main.threadId, run_id: main.runId, input_tokens: 10 },
    ]);
    const global = await t.db
      .selectFrom('memories')
      .select('content')
      .where('thread_id', 'is', null)
      .execute();
    expect(global).toEqual([{ content: 'global' }]);

    expect((await deleteInactiveThreads(t.db, { olderThanDays: 90, now })).threads).toBe(0);
  });

  it('keeps an idle thread with an active scheduled task or a held lease', async () => {
    const withTask = await seedThread(t.db, 'telegram:-200', 200, { taskStatus: 'active' });
    const leased = await seedThread(t.db, 'telegram:-201', 200, {
      leaseUntil: new Date(now.getTime() + 60_000),
    });
    const result = await deleteInactiveThreads(t.db, { olderThanDays: 90, now });
    expect(result.threads).toBe(0);
    expect((await rowsOf(t.db, withTask.threadId)).thread).toBe(1);
    expect((await rowsOf(t.db, leased.threadId)).thread).toBe(1);
  });
});
