import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, DeadLetter, DeadLetterStatus } from '../database.ts';

export interface NewDeadLetter {
  threadId: number;
  runId: number | null;
  afterCursor: number;
  lastMessageId: number;
  messages: number;
  error: string;
  attempts: number;
}

/** Records messages skipped after their run failed on every attempt (in the failure's commit). */
export async function insertDeadLetter(
  db: Kysely<Database> | Transaction<Database>,
  input: NewDeadLetter,
): Promise<void> {
  await db
    .insertInto('dead_letters')
    .values({
      thread_id: input.threadId,
      run_id: input.runId,
      after_cursor: input.afterCursor,
      last_message_id: input.lastMessageId,
      messages: input.messages,
      error: input.error.slice(0, 2_000),
      attempts: input.attempts,
    })
    .execute();
}

/** Dead letters, newest first: the open ones, or all. */
export async function listDeadLetters(
  db: Kysely<Database>,
  status: 'open' | 'all',
  limit = 200,
): Promise<Array<DeadLetter & { jid: string; title: string | null }>> {
  let query = db
    .selectFrom('dead_letters')
    .innerJoin('threads', 'threads.id', 'dead_letters.thread_id')
    .selectAll('dead_letters')
    .select(['threads.jid', 'threads.title'])
    .orderBy('dead_letters.id', 'desc')
    .limit(limit);
  if (status === 'open') query = query.where('dead_letters.status', '=', 'open');
  return query.execute();
}

export type DeadLetterRetry =
  | { outcome: 'retried'; threadId: number }
  | { outcome: 'missing' | 'closed' | 'answered-since' | 'busy' };

/**
 * Puts a dead letter's messages back in front of its thread: the cursor moves back before
 * them, so the next run answers them. Only while nothing later was answered in the thread
 * (`answered-since`) and no run holds it (`busy`): moving the cursor under a run, or past
 * replies already given, would answer twice.
 */
export async function retryDeadLetter(
  db: Kysely<Database>,
  id: number,
  by: string,
): Promise<DeadLetterRetry> {
  return db.transaction().execute(async (trx) => {
    const letter = await trx
      .selectFrom('dead_letters')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!letter) return { outcome: 'missing' };
    if (letter.status !== 'open') return { outcome: 'closed' };
    const thread = await trx
      .selectFrom('threads')
      .select([
        'cursor',
        sql<boolean>`lease_owner is not null and lease_expires_at > now()`.as('leased'),
      ])
      .where('id', '=', letter.thread_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (thread.leased) return { outcome: 'busy' };
    if (thread.cursor !== letter.last_message_id) return { outcome: 'answered-since' };
    await trx
      .updateTable('threads')
      .set({ cursor: letter.after_cursor, status: 'ok' })
      .where('id', '=', letter.thread_id)
      .execute();
    await trx
      .updateTable('dead_letters')
      .set({
        status: 'retried' satisfies DeadLetterStatus,
        resolved_at: new Date(),
        resolved_by: by,
      })
      .where('id', '=', id)
      .execute();
    return { outcome: 'retried', threadId: letter.thread_id };
  });
}
