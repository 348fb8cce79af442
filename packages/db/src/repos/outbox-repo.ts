import type { MessageAction } from '@gridbot/core';
import { type Expression, type Kysely, sql } from 'kysely';
import type { Database, OutboxDocument, OutboxPayload, OutboxRow } from '../database.ts';

export interface NewOutboxInput {
  threadId: number;
  runId: number | null;
  channel: string;
  jid: string;
  /** The reply, or the document's caption. */
  text: string;
  replyTo: string | null;
  /** A file to send instead of text chunks. */
  document?: OutboxDocument;
  /** Buttons under the message (see `OutboxPayload.actions`). */
  actions?: MessageAction[];
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
      payload: JSON.stringify({
        text: input.text,
        replyTo: input.replyTo,
        ...(input.document && { document: input.document }),
        ...(input.actions?.length && { actions: input.actions }),
      } satisfies OutboxPayload),
      platform_message_ids: '[]',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** What a claim found: the row to send, or the earlier reply of its chat it must wait for. */
export type OutboxClaim =
  | { row: OutboxRow; waitFor: null }
  | { row: null; waitFor: number }
  | { row: null; waitFor: null };

/**
 * Counts a delivery attempt of a row not sent yet and returns it, in one statement. A reply
 * is sent only after every earlier reply of its chat: while one is still pending (its
 * delivery failed and waits for a retry, or runs elsewhere), no attempt is counted and
 * `waitFor` names it. Both fields null: the row is gone or already sent.
 */
export async function claimOutboxAttempt(db: Kysely<Database>, id: number): Promise<OutboxClaim> {
  const found = await db
    .with('earlier', (qb) =>
      qb
        .selectFrom('outbox as earlier')
        .innerJoin('outbox as me', (join) =>
          join
            .onRef('me.thread_id', '=', 'earlier.thread_id')
            .onRef('me.channel', '=', 'earlier.channel'),
        )
        .select('earlier.id')
        .where('me.id', '=', id)
        .where('earlier.id', '<', id)
        .where('earlier.status', '=', 'pending')
        .orderBy('earlier.id')
        .limit(1),
    )
    .updateTable('outbox')
    .set({
      attempts: sql<number>`case when exists (select 1 from earlier) then attempts else attempts + 1 end`,
    })
    .where('id', '=', id)
    .where('status', '!=', 'sent')
    .returningAll()
    .returning(sql<number | null>`(select id from earlier)`.as('wait_for'))
    .executeTakeFirst();
  if (!found) return { row: null, waitFor: null };
  const { wait_for: waitFor, ...row } = found;
  return waitFor === null ? { row, waitFor: null } : { row: null, waitFor: Number(waitFor) };
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

/**
 * Replaces a reply's text with what the gateway's plugins made of it, before its first
 * chunk is sent, and marks it transformed so a retry sends the same text without asking
 * them again.
 */
export async function setOutboxTransformedText(
  db: Kysely<Database>,
  id: number,
  text: string,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      payload: sql`payload || jsonb_build_object('text', ${text}::text, 'transformed', true)`,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Records, before anything is sent, that the row's first chunk replaces the placeholder
 * message `platformMessageId`: a retry after a crash edits that message again (an
 * idempotent edit) instead of sending the chunk as a new message. Only for a row with
 * nothing sent yet; returns whether it was recorded.
 */
export async function setOutboxPlaceholder(
  db: Kysely<Database>,
  id: number,
  platformMessageId: string,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ payload: sql`payload || jsonb_build_object('placeholder', ${platformMessageId}::text)` })
    .where('id', '=', id)
    .where(sql<boolean>`platform_message_ids = '[]'::jsonb`)
    .where(sql<boolean>`not payload ? 'placeholder'`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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

export interface DeliveryReceipt {
  channel: string;
  /** The platform id of one of the row's messages. */
  platformMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Why it failed; null otherwise. */
  error: string | null;
  at: Date;
}

/**
 * Records a platform's receipt on the outbox row that sent the message; returns the id of
 * that row, or null when no row sent it (not GridBot's message, or not recorded yet).
 * Receipts may arrive out of order: a row's status only moves on (sent → delivered →
 * read), and `failed`, for any of its messages, stays.
 */
export async function recordDeliveryReceipt(
  db: Kysely<Database>,
  receipt: DeliveryReceipt,
): Promise<number | null> {
  const rank = (status: Expression<unknown>) =>
    sql<number>`case ${status} when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'failed' then 4 else 0 end`;
  const row = await db
    .updateTable('outbox')
    .set({
      delivery_status: receipt.status,
      delivery_error: receipt.error,
      delivery_updated_at: receipt.at,
    })
    .where('channel', '=', receipt.channel)
    .where(
      sql<boolean>`platform_message_ids @> ${JSON.stringify([receipt.platformMessageId])}::jsonb`,
    )
    .where((eb) =>
      eb.or([
        eb('delivery_status', 'is', null),
        eb(rank(sql.ref('delivery_status')), '<', rank(sql.val(receipt.status))),
      ]),
    )
    .returning('id')
    .executeTakeFirst();
  if (row) return row.id;
  const known = await db
    .selectFrom('outbox')
    .select('id')
    .where('channel', '=', receipt.channel)
    .where(
      sql<boolean>`platform_message_ids @> ${JSON.stringify([receipt.platformMessageId])}::jsonb`,
    )
    .executeTakeFirst();
  return known?.id ?? null;
}
