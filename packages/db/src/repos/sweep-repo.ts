import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

/** The thread has a triggering user message past its cursor, stored more than `graceMs` ago. */
function hasUnansweredTrigger(graceMs: number) {
  return ({ exists, selectFrom }: ExpressionBuilder<Database, 'threads'>) =>
    exists(
      selectFrom('messages')
        .select('messages.id')
        .whereRef('messages.thread_id', '=', 'threads.id')
        .whereRef('messages.id', '>', 'threads.cursor')
        .where('messages.role', '=', 'user')
        .where('messages.triggers', '=', true)
        .where(
          'messages.created_at',
          '<',
          sql<Date>`now() - ${`${graceMs} milliseconds`}::interval`,
        ),
    );
}

/**
 * Registered threads with a triggering message past their cursor, stored more than
 * `graceMs` ago, and no live lease: work that Redis lost or that was never enqueued. The
 * grace leaves alone threads whose drain job is simply on its way.
 */
export async function strandedThreads(
  db: Kysely<Database>,
  graceMs = 0,
): Promise<Array<{ id: number; lease_token: number }>> {
  return await db
    .selectFrom('threads')
    .select(['threads.id', 'threads.lease_token'])
    .where('threads.registered', '=', true)
    .where('threads.status', '!=', 'failed')
    .where((eb) =>
      eb.or([
        eb('threads.lease_owner', 'is', null),
        eb('threads.lease_expires_at', '<', sql<Date>`now()`),
      ]),
    )
    .where(hasUnansweredTrigger(graceMs))
    .execute();
}

/**
 * Threads with triggering messages past the cursor whose lease is held: by a live run (it
 * will answer them), or by a worker that died mid-run, whose job BullMQ still counts as
 * active until its lock expires. The sweeper checks which holders are dead.
 */
export async function heldThreadsWithWork(
  db: Kysely<Database>,
): Promise<Array<{ id: number; lease_owner: string; lease_token: number }>> {
  const rows = await db
    .selectFrom('threads')
    .select(['threads.id', 'threads.lease_owner', 'threads.lease_token'])
    .where('threads.registered', '=', true)
    .where('threads.status', '!=', 'failed')
    .where('threads.lease_owner', 'is not', null)
    .where('threads.lease_expires_at', '>=', sql<Date>`now()`)
    .where(hasUnansweredTrigger(0))
    .execute();
  return rows.map((r) => ({ id: r.id, lease_owner: r.lease_owner!, lease_token: r.lease_token }));
}

/** Outbox rows still pending after `graceMs`: their delivery job was lost. */
export async function strandedOutbox(
  db: Kysely<Database>,
  graceMs: number,
): Promise<Array<{ id: number; channel: string; thread_id: number }>> {
  return db
    .selectFrom('outbox')
    .select(['id', 'channel', 'thread_id'])
    .where('status', '=', 'pending')
    .where('created_at', '<', sql<Date>`now() - ${`${graceMs} milliseconds`}::interval`)
    .orderBy('id')
    .limit(1_000)
    .execute();
}

/** Marks instances whose heartbeat is older than `staleMs` as down; returns how many. */
export async function markStaleInstancesDown(
  db: Kysely<Database>,
  staleMs: number,
): Promise<number> {
  const result = await db
    .updateTable('instances')
    .set({ status: 'down' })
    .where('status', '=', 'up')
    .where('heartbeat_at', '<', sql<Date>`now() - ${`${staleMs} milliseconds`}::interval`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Releases leases past their expiry (their runs died); returns how many. */
export async function releaseExpiredLeases(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('threads')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('lease_owner', 'is not', null)
    .where('lease_expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
