import { type Expression, type Kysely, type QueryCreator, sql } from 'kysely';
import type { Database, Message } from '../database.ts';
import { pendingApprovalsSuperseded } from './approvals-repo.ts';
import { senderUpsert } from './users-repo.ts';

export interface NewMessageInput {
  threadId: number;
  platformMessageId: string;
  senderId: number | null;
  senderName: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  replyTo: string | null;
  triggers: boolean;
  sentAt: Date;
  metadata?: Record<string, unknown>;
}

/** The columns `storeUserMessage` computes in the statement itself. */
interface ComputedColumns {
  triggers?: Expression<boolean>;
  metadata?: Expression<string>;
}

/**
 * The statement that inserts a message once per (thread, platform message id), without its
 * RETURNING: `insertMessage` runs it alone, `storeUserMessage` as part of one statement
 * (then `senderId` is an expression naming the sender upserted in the same statement).
 */
function messageInsert(
  db: QueryCreator<Database>,
  input: Omit<NewMessageInput, 'senderId'>,
  senderId: number | null | Expression<number>,
  computed: ComputedColumns = {},
) {
  return db
    .insertInto('messages')
    .values({
      thread_id: input.threadId,
      platform_message_id: input.platformMessageId,
      sender_id: senderId,
      sender_name: input.senderName,
      role: input.role,
      content: input.content,
      reply_to: input.replyTo,
      triggers: computed.triggers ?? input.triggers,
      sent_at: input.sentAt,
      metadata: computed.metadata ?? JSON.stringify(input.metadata ?? {}),
    })
    .onConflict((oc) => oc.columns(['thread_id', 'platform_message_id']).doNothing());
}

/**
 * Inserts a message once per (thread, platform message id). A redelivered platform update
 * returns the stored row with `inserted: false`.
 */
export async function insertMessage(
  db: Kysely<Database>,
  input: NewMessageInput,
): Promise<{ message: Message; inserted: boolean }> {
  const inserted = await messageInsert(db, input, input.senderId).returningAll().executeTakeFirst();
  if (inserted) return { message: inserted, inserted: true };
  const existing = await db
    .selectFrom('messages')
    .selectAll()
    .where('thread_id', '=', input.threadId)
    .where('platform_message_id', '=', input.platformMessageId)
    .executeTakeFirstOrThrow();
  return { message: existing, inserted: false };
}

/** Applies a platform edit to a stored message; returns false when the message was never stored. */
export async function updateMessageText(
  db: Kysely<Database>,
  threadId: number,
  platformMessageId: string,
  content: string,
  editedAt: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ content, edited_at: editedAt })
    .where('thread_id', '=', threadId)
    .where('platform_message_id', '=', platformMessageId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Replaces a stored message's text (e.g. with its attachments' references appended). */
export async function setMessageContent(
  db: Kysely<Database>,
  messageId: number,
  content: string,
): Promise<Message> {
  return db
    .updateTable('messages')
    .set({ content })
    .where('id', '=', messageId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** User messages after the cursor, oldest first. */
export async function messagesAfter(
  db: Kysely<Database>,
  threadId: number,
  cursor: number,
  limit: number,
): Promise<Message[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('id', '>', cursor)
    .where('role', '=', 'user')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * The last `limit` messages already seen by a run, oldest first: everything except user
 * messages past the cursor (assistant replies get ids past the cursor they were written at),
 * and nothing up to `from` (the thread's `history_from`, set by `/reset`).
 */
export async function historyBefore(
  db: Kysely<Database>,
  threadId: number,
  cursor: number,
  limit: number,
  from = 0,
): Promise<Message[]> {
  if (limit === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('id', '>', from)
    .where((eb) => eb.or([eb('id', '<=', cursor), eb('role', '!=', 'user')]))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

export async function listMessages(db: Kysely<Database>, threadId: number): Promise<Message[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('thread_id', '=', threadId)
    .orderBy('id')
    .execute();
}

/** A person's message to store, with its sender. */
export interface UserMessageInput {
  threadId: number;
  channel: string;
  sender: {
    platformUserId: string;
    name: string;
    username: string | null;
    /** Set when the channel's allowlist names this user; never unsets an earlier approval. */
    allowed: boolean;
    /** The zone the platform reports (see `SenderInput.timeZone`). */
    timeZone?: string | null;
  };
  platformMessageId: string;
  content: string;
  replyTo: string | null;
  /** The message addresses the assistant (it triggers unless the sender is over the limit). */
  triggers: boolean;
  sentAt: Date;
  /** Addressing the assistant again supersedes the approvals it was waiting for. */
  supersedeApprovals: boolean;
  /**
   * Triggering messages one sender may send in one thread per minute; past it a message is
   * stored as context only (`triggers` false, `metadata.throttled`). 0 or absent: no limit.
   */
  triggersPerMinute?: number;
}

/**
 * A stored person's message, and whether it was kept from triggering by its sender's rate
 * limit: `first` for the first such message in the window (the sender is told then),
 * `again` after it.
 */
export interface StoredUserMessage {
  message: Message;
  throttled: 'no' | 'first' | 'again';
}

/**
 * How far back the rate limit looks in the thread's newest messages: a thread busier than
 * that in one minute counts the sender's messages among these only (the limit gets looser,
 * it never refuses more).
 */
const RATE_SCAN_ROWS = 500;

/**
 * Ingress's common case in one statement (so one round trip, atomic without BEGIN/COMMIT),
 * composed of the statements the single steps run alone: upserts the sender (`upsertUser`),
 * counts the sender's triggering messages of the last minute in the thread (the rate
 * limit), inserts the message once per (thread, platform message id) (`insertMessage`),
 * and, when it was new and triggers, supersedes the thread's pending approvals
 * (`supersedePendingApprovals`). Resolves with the stored message, or null when the
 * platform delivered it before.
 */
export async function storeUserMessage(
  db: Kysely<Database>,
  input: UserMessageInput,
): Promise<StoredUserMessage | null> {
  const limit = input.triggersPerMinute ?? 0;
  const overLimit = sql<boolean>`(${limit} > 0 and (select triggered from recent) >= ${limit})`;
  const row = await db
    .with('sender', (qb) =>
      senderUpsert(qb, { channel: input.channel, ...input.sender }).returning('id'),
    )
    // Kysely does not parenthesize raw SQL as a CTE body.
    .with(
      'recent',
      () =>
        sql`(select count(*) filter (where m.triggers)::int as triggered,
            count(*) filter (where m.metadata->>'throttled' = 'true')::int as throttled
          from (select sender_id, triggers, metadata, created_at from messages
                where thread_id = ${input.threadId} order by id desc limit ${RATE_SCAN_ROWS}) m
          where m.sender_id = (select id from sender)
            and m.created_at > now() - interval '1 minute')`,
    )
    .with('stored', (qb) =>
      messageInsert(
        qb,
        {
          threadId: input.threadId,
          platformMessageId: input.platformMessageId,
          senderName: input.sender.name,
          role: 'user',
          content: input.content,
          replyTo: input.replyTo,
          triggers: input.triggers,
          sentAt: input.sentAt,
        },
        sql<number>`(select id from sender)`,
        input.triggers
          ? {
              triggers: sql<boolean>`not ${overLimit}`,
              metadata: sql<string>`case when ${overLimit} then '{"throttled":true}' else '{}' end::jsonb`,
            }
          : {},
      ).returningAll(),
    )
    .with('superseded', (qb) =>
      pendingApprovalsSuperseded(qb, input.threadId)
        .where(
          sql<boolean>`${input.supersedeApprovals} and exists (select 1 from stored where triggers)`,
        )
        .returning('approvals.id'),
    )
    .selectFrom('stored')
    .selectAll()
    .select(sql<number>`(select throttled from recent)`.as('throttled_before'))
    .executeTakeFirst();
  if (!row) return null;
  const { throttled_before: before, ...message } = row as Message & { throttled_before: number };
  const throttled = input.triggers && !message.triggers;
  return { message, throttled: !throttled ? 'no' : before === 0 ? 'first' : 'again' };
}
