import { type Kysely, sql } from 'kysely';
import type { Database, OutboxRow } from '../database.ts';

export interface NewOutboxInput {
  threadId: number;
  runId: number | null;
  channel: string;
  jid: string;
  text: string;
  replyTo: string | null;
}

/** Queues a reply for egress; the caller enqueues its job after the transaction commits. */
export async function insertOutbox(
  db: Kysely<Database>,
  input: NewOutboxInput,
): Promise<OutboxRow> {
  return db
    .insertInto('outbox')
    .values({
      thread_id: input.threadId,
      run_id: input.runId,
      channel: input.channel,
      jid: input.jid,
      payload: JSON.stringify({ text: input.text, replyTo: input.replyTo }),
      platform_message_ids: '[]',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Counts a delivery attempt of a row not sent yet and returns it, in one statement; undefined
 * when the row is gone or already sent.
 */
export async function claimOutboxAttempt(
  db: Kysely<Database>,
  id: number,
): Promise<OutboxRow | undefined> {
  return db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '!=', 'sent')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Appends the platform id of one sent chunk, so a retry resumes after it; with `last`, the
 * row is marked sent in the same statement.
 */
export async function recordChunkSent(
  db: Kysely<Database>,
  id: number,
  platformMessageId: string,
  last = false,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      platform_message_ids: sql`platform_message_ids || ${JSON.stringify([platformMessageId])}::jsonb`,
      ...(last && { status: 'sent' as const, sent_at: new Date(), error: null }),
    })
    .where('id', '=', id)
    .execute();
}

export async function markOutboxSent(db: Kysely<Database>, id: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: new Date(), error: null })
    .where('id', '=', id)
    .execute();
}

export async function markOutboxFailed(
  db: Kysely<Database>,
  id: number,
  error: string,
): Promise<void> {
  await db.updateTable('outbox').set({ status: 'failed', error }).where('id', '=', id).execute();
}
