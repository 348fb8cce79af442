import { DEFAULT_BEHAVIOUR } from '@gridbot/core';
import { insertTask, registerThread } from '@gridbot/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { planTask } from './task-plan.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const log = pino({ level: 'silent' });

async function setup(misfirePolicy: 'skip' | 'run-once') {
  const thread = await registerThread(t.db, {
    jid: `telegram:-${Math.floor(Math.random() * 1e9)}`,
  });
  const task = await insertTask(t.db, {
    threadId: thread.id,
    prompt: 'report',
    scheduleKind: 'cron',
    scheduleValue: '0 * * * *',
    timezone: 'UTC',
    contextMode: 'group',
    misfirePolicy,
    nextRunAt: new Date(),
    createdBy: 'test',
  });
  return { thread, task };
}

const plan = (input: Awaited<ReturnType<typeof setup>>, slot: number, now = slot + 1_000) =>
  planTask({
    db: t.db,
    misfireGraceMs: 60_000,
    task: input.task,
    slot,
    thread: input.thread,
    config: DEFAULT_BEHAVIOUR,
    log,
    skip: async () => false,
    now,
  });

async function runsOf(taskId: number) {
  return t.db.selectFrom('task_runs').select(['status']).where('task_id', '=', taskId).execute();
}

describe('a task firing', () => {
  it('fires each slot once: a slot already finished is not run again', async () => {
    const input = await setup('run-once');
    const slot = Date.UTC(2026, 11, 1, 9);
    const first = await plan(input, slot);
    expect(typeof first).toBe('object');
    await t.db
      .updateTable('task_runs')
      .set({ status: 'succeeded' })
      .where('task_id', '=', input.task.id)
      .execute();
    expect(await plan(input, slot)).toBe('slot already fired');
  });

  it('runs a slot again whose firing died with its worker (still marked running), once', async () => {
    const input = await setup('run-once');
    const slot = Date.UTC(2026, 11, 1, 10);
    expect(typeof (await plan(input, slot))).toBe('object');
    // The worker died: the row stays running. The handed-back job fires the slot again.
    const again = await plan(input, slot);
    expect(typeof again).toBe('object');
    expect(await runsOf(input.task.id)).toEqual([{ status: 'running' }]);
  });

  it('a late slot of a skip task whose firing died is recorded as skipped', async () => {
    const input = await setup('skip');
    const slot = Date.UTC(2026, 11, 1, 11);
    expect(typeof (await plan(input, slot))).toBe('object');
    expect(await plan(input, slot, slot + 5 * 60_000)).toBe('missed slot skipped');
    expect(await runsOf(input.task.id)).toEqual([{ status: 'skipped' }]);
  });
});
