import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

export interface RetentionOptions {
  /** Threads whose last activity is older than this many days are deleted. */
  olderThanDays: number;
  now?: Date;
}

/** Rows deleted, per kind. Token ledger rows are kept (their thread and run become null). */
export interface RetentionResult {
  threads: number;
  messages: number;
  artifacts: number;
  runs: number;
  outbox: number;
  tasks: number;
  taskRuns: number;
  approvals: number;
  memories: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes threads idle for more than `olderThanDays` days, with their messages,
 * artifacts, runs, outbox, tasks and task runs, approvals and memories, in one
 * transaction. Kept regardless of age: the main thread, a thread whose lease is held
 * (a run is in progress), and a thread with an active scheduled task (its schedule is
 * activity still to come). Threads locked by another transaction are skipped until the
 * next pass rather than waited for.
 */
export async function deleteInactiveThreads(
  db: Kysely<Database>,
  options: RetentionOptions,
): Promise<RetentionResult> {
  if (!Number.isFinite(options.olderThanDays) || options.olderThanDays < 0) {
    throw new RangeError(`olderThanDays must be a number >= 0, got ${options.olderThanDays}`);
  }
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.olderThanDays * DAY_MS);
  return db.transaction().execute(async (trx) => {
    const victims = await trx
      .selectFrom('threads')
      .select('id')
      .where('is_main', '=', false)
      .where('last_activity', '<', cutoff)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('scheduled_tasks')
              .select(sql`1`.as('one'))
              .whereRef('scheduled_tasks.thread_id', '=', 'threads.id')
              .where('scheduled_tasks.status', '=', 'active'),
          ),
        ),
      )
      .forUpdate()
      .skipLocked()
      .execute();
    const ids = victims.map((v) => v.id);
    const result: RetentionResult = {
      threads: 0,
      messages: 0,
      artifacts: 0,
      runs: 0,
      outbox: 0,
      tasks: 0,
      taskRuns: 0,
      approvals: 0,
      memories: 0,
    };
    if (ids.length === 0) return result;

    // The foreign keys cascade anyway; deleting child tables explicitly gives the counts.
    const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
    result.taskRuns = count(
      await trx
        .deleteFrom('task_runs')
        .where(
          'task_id',
          'in',
          trx.selectFrom('scheduled_tasks').select('id').where('thread_id', 'in', ids),
        )
        .executeTakeFirstOrThrow(),
    );
    result.tasks = count(
      await trx
        .deleteFrom('scheduled_tasks')
        .where('thread_id', 'in', ids)
        .executeTakeFirstOrThrow(),
    );
    result.approvals = count(
      await trx.deleteFrom('approvals').where('thread_id', 'in', ids).executeTakeFirstOrThrow(),
    );
    result.outbox = count(
      await trx.deleteFrom('outbox').where('thread_id', 'in', ids).executeTakeFirstOrThrow(),
    );
    result.memories = count(
      await trx.deleteFrom('memories').where('thread_id', 'in', ids).executeTakeFirstOrThrow(),
    );
    result.artifacts = count(
      await trx.deleteFrom('artifacts').where('thread_id', 'in', ids).executeTakeFirstOrThrow(),
    );
    result.messages = count(
      await trx.deleteFrom('messages').where('thread_id', 'in', ids).executeTakeFirstOrThrow(),
    );
    result.runs = count(
      await trx.deleteFrom('agent_runs').where('thread_id', 'in', ids).executeTakeFirstOrThrow(),
    );
    result.threads = count(
      await trx.deleteFrom('threads').where('id', 'in', ids).executeTakeFirstOrThrow(),
    );
    return result;
  });
}
