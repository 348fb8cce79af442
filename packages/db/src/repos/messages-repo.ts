import { type Kysely, sql } from 'kysely';
import type { Database, Message } from '../database.ts';

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

/**
 * Inserts a message once per (thread, platform message id). A redelivered platform update
 * returns the stored row with `inserted: false`.
 */
export async function insertMessage(
  db: Kysely<Database>,
  input: NewMessageInput,
): Promise<{ message: Message; inserted: boolean }> {
  const inserted = await db
    .insertInto('messages')
    .values({
      thread_id: input.threadId,
      platform_message_id: input.platformMessageId,
      sender_id: input.senderId,
      sender_name: input.senderName,
      role: input.role,
      content: input.content,
      reply_to: input.replyTo,
      triggers: input.triggers,
      sent_at: input.sentAt,
      metadata: JSON.stringify(input.metadata ?? {}),
    })
    .onConflict((oc) => oc.columns(['thread_id', 'platform_message_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
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
 * messages past the cursor (assistant replies get ids past the cursor they were written at).
 */
export async function historyBefore(
  db: Kysely<Database>,
  threadId: number,
  cursor: number,
  limit: number,
): Promise<Message[]> {
  if (limit === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('thread_id', '=', threadId)
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
  };
  platformMessageId: string;
  content: string;
  replyTo: string | null;
  triggers: boolean;
  sentAt: Date;
  /** Addressing the assistant again supersedes the approvals it was waiting for. */
  supersedeApprovals: boolean;
}

/**
 * Ingress's common case in one statement (so one round trip, atomic without BEGIN/COMMIT):
 * upserts the sender like `upsertUser`, inserts the message once per (thread, platform
 * message id) like `insertMessage`, and, when it was new and `supersedeApprovals` is set,
 * supersedes the thread's pending approvals. Resolves with the stored message, or null
 * when the platform delivered it before.
 */
export async function storeUserMessage(
  db: Kysely<Database>,
  input: UserMessageInput,
): Promise<Message | null> {
  const now = new Date();
  const { rows } = await sql<Message>`
    with sender as (
      insert into users (channel, platform_user_id, name, username, allowed, config, last_seen)
      values (${input.channel}, ${input.sender.platformUserId}, ${input.sender.name},
              ${input.sender.username}, ${input.sender.allowed}, '{}', ${now})
      on conflict (channel, platform_user_id) do update
        set name = excluded.name, username = excluded.username,
            last_seen = excluded.last_seen, allowed = users.allowed or excluded.allowed
      returning id
    ), stored as (
      insert into messages (thread_id, platform_message_id, sender_id, sender_name, role,
                            content, reply_to, triggers, sent_at, metadata)
      select ${input.threadId}, ${input.platformMessageId}, sender.id, ${input.sender.name},
             'user', ${input.content}, ${input.replyTo}, ${input.triggers}, ${input.sentAt}, '{}'
      from sender
      on conflict (thread_id, platform_message_id) do nothing
      returning *
    ), superseded as (
      update approvals set status = 'superseded', resolved_at = ${now}
      where thread_id = ${input.threadId} and status = 'pending'
        and ${input.supersedeApprovals} and exists (select 1 from stored)
      returning id
    )
    select * from stored`.execute(db);
  return rows[0] ?? null;
}
