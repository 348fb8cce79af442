import { LeaseLostError } from '@gridbot/core';
import {
  type Expression,
  expressionBuilder,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
} from 'kysely';
import type { Database } from '../database.ts';

/** A held lease on a thread: only its holder may commit results for the thread. */
export interface ThreadLease {
  threadId: number;
  owner: string;
  /** Fencing token: grows by one with every acquisition, so an older holder is always detectable. */
  token: number;
  /** Runs of an earlier holder that this acquisition found unfinished and marked failed. */
  diedRuns?: number;
}

/** A run that never finished, left by the lease's previous holder. */
export const WORKER_DIED = 'worker died';

/**
 * Gives the lease to `owner` with the next fencing token, if the thread's row passes
 * `precondition` (whose lease may be taken); null otherwise. In the same statement, runs of
 * the thread still marked running under an older token are marked failed: their holder
 * died (a live one that merely lost the lease marks its run fenced when it notices).
 */
async function takeLease(
  db: Kysely<Database>,
  threadId: number,
  owner: string,
  ttlMs: number,
  precondition: Expression<SqlBool>,
): Promise<ThreadLease | null> {
  const row = await db
    .with('taken', (qb) =>
      qb
        .updateTable('threads')
        .set((eb) => ({
          lease_owner: owner,
          lease_expires_at: sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval`,
          lease_token: eb('lease_token', '+', 1),
        }))
        .where('id', '=', threadId)
        .where(precondition)
        .returning('lease_token'),
    )
    .with('died', (qb) =>
      qb
        .updateTable('agent_runs')
        .set({ status: 'failed', error: WORKER_DIED, finished_at: sql<Date>`now()` })
        .where('thread_id', '=', threadId)
        .where('status', '=', 'running')
        .where('lease_token', '<', (eb) => eb.selectFrom('taken').select('taken.lease_token'))
        .returning('id'),
    )
    .selectFrom('taken')
    .select((eb) => [
      'taken.lease_token',
      eb.selectFrom('died').select(eb.fn.countAll<string>().as('n')).as('died'),
    ])
    .executeTakeFirst();
  return row ? { threadId, owner, token: row.lease_token, diedRuns: Number(row.died ?? 0) } : null;
}

/**
 * Takes the thread's lease if it is free or expired. Returns null when another run holds it.
 * Every acquisition increments the fencing token.
 */
export function acquireLease(
  db: Kysely<Database>,
  threadId: number,
  owner: string,
  ttlMs: number,
): Promise<ThreadLease | null> {
  const eb = expressionBuilder<Database, 'threads'>();
  return takeLease(
    db,
    threadId,
    owner,
    ttlMs,
    eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', sql<Date>`now()`)]),
  );
}

/**
 * Takes the lease from a holder known to be dead (its process is gone), without waiting for
 * the expiry. Safe even if the holder were alive after all: the new fencing token keeps its
 * results from committing.
 */
export function takeOverLease(
  db: Kysely<Database>,
  threadId: number,
  deadOwner: string,
  owner: string,
  ttlMs: number,
): Promise<ThreadLease | null> {
  const eb = expressionBuilder<Database, 'threads'>();
  return takeLease(db, threadId, owner, ttlMs, eb('lease_owner', '=', deadOwner));
}

/** The current holder of the thread's lease, if any. */
export async function leaseHolder(db: Kysely<Database>, threadId: number): Promise<string | null> {
  const row = await db
    .selectFrom('threads')
    .select(['lease_owner'])
    .where('id', '=', threadId)
    .where('lease_expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.lease_owner ?? null;
}

/** Extends a held lease; false when it was lost (expired and taken, or released). */
export async function renewLease(
  db: Kysely<Database>,
  lease: ThreadLease,
  ttlMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('threads')
    .set({ lease_expires_at: sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval` })
    .where('id', '=', lease.threadId)
    .where('lease_owner', '=', lease.owner)
    .where('lease_token', '=', lease.token)
    .where('lease_expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives the lease back if still held; a lost lease is left to its new holder. */
export async function releaseLease(db: Kysely<Database>, lease: ThreadLease): Promise<void> {
  await db
    .updateTable('threads')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', lease.threadId)
    .where('lease_owner', '=', lease.owner)
    .where('lease_token', '=', lease.token)
    .execute();
}

/**
 * Runs `fn` in a transaction that first locks the thread row and checks the lease is still
 * held and unexpired; throws {@link LeaseLostError} (nothing written) otherwise. What a run
 * says in the chat and how it ends (replies, the cursor, approval requests, failure notices)
 * is written through here. What the agent asks for while it runs (memories, tasks,
 * artifacts, token ledger rows) is written at once without the fence: each is the answer to
 * a request the agent already has, and tokens spent must be counted even by a fenced run.
 */
export async function withFencedTransaction<T>(
  db: Kysely<Database>,
  lease: ThreadLease,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('threads')
      .select(['lease_owner', 'lease_token', sql<boolean>`lease_expires_at > now()`.as('live')])
      .where('id', '=', lease.threadId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.lease_owner !== lease.owner || row.lease_token !== lease.token || !row.live) {
      throw new LeaseLostError(lease.threadId, lease.token);
    }
    return fn(trx);
  });
}
