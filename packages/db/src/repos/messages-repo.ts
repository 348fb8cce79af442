import type { Kysely } from 'kysely';
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
