import { parseJid } from '@gridbot/core';
import type { Kysely } from 'kysely';
import type { Database, Thread } from '../database.ts';

export interface ChatMetadata {
  jid: string;
  channel: string;
  platformChatId: string;
  platformThreadId?: string | null;
  title: string | null;
  isGroup: boolean;
}

/** Creates the thread for a chat the first time it is seen (unregistered), or refreshes its title and activity. */
export async function upsertThreadFromChat(
  db: Kysely<Database>,
  chat: ChatMetadata,
): Promise<Thread> {
  return db
    .insertInto('threads')
    .values({
      jid: chat.jid,
      channel: chat.channel,
      platform_chat_id: chat.platformChatId,
      platform_thread_id: chat.platformThreadId ?? null,
      title: chat.title,
      is_group: chat.isGroup,
      config: '{}',
      last_activity: new Date(),
    })
    .onConflict((oc) =>
      oc.column('jid').doUpdateSet((eb) => ({
        title: eb.fn.coalesce(eb.ref('excluded.title'), eb.ref('threads.title')),
        is_group: eb.ref('excluded.is_group'),
        last_activity: eb.ref('excluded.last_activity'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findThreadByJid(
  db: Kysely<Database>,
  jid: string,
): Promise<Thread | undefined> {
  return db.selectFrom('threads').selectAll().where('jid', '=', jid).executeTakeFirst();
}

export async function findThreadById(
  db: Kysely<Database>,
  id: number,
): Promise<Thread | undefined> {
  return db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listThreads(db: Kysely<Database>): Promise<Thread[]> {
  return db.selectFrom('threads').selectAll().orderBy('id').execute();
}

export interface RegisterThreadInput {
  jid: string;
  title?: string | null;
  triggerPattern?: string | null;
  requiresTrigger?: boolean;
  isMain?: boolean;
  /** Whether the chat is a group; only used when the thread does not exist yet (ingress corrects it). */
  isGroup?: boolean;
}

/**
 * Registers a thread so its messages are stored and answered. Creates it when the chat was
 * never seen (JID validated). Making a thread main takes the flag from any other thread.
 */
export async function registerThread(
  db: Kysely<Database>,
  input: RegisterThreadInput,
): Promise<Thread> {
  const { channel, chatId, subId } = parseJid(input.jid);
  return db.transaction().execute(async (trx) => {
    if (input.isMain) {
      await trx
        .updateTable('threads')
        .set({ is_main: false })
        .where('is_main', '=', true)
        .execute();
    }
    const changes = {
      registered: true,
      unregistered_at: null,
      ...(input.title !== undefined && { title: input.title }),
      ...(input.triggerPattern !== undefined && { trigger_pattern: input.triggerPattern }),
      ...(input.requiresTrigger !== undefined && { requires_trigger: input.requiresTrigger }),
      ...(input.isMain !== undefined && { is_main: input.isMain }),
    };
    return trx
      .insertInto('threads')
      .values({
        jid: input.jid,
        channel,
        platform_chat_id: chatId,
        platform_thread_id: subId,
        title: input.title ?? null,
        is_group: input.isGroup ?? true,
        config: '{}',
        last_activity: new Date(),
        ...changes,
      })
      .onConflict((oc) => oc.column('jid').doUpdateSet(changes))
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/**
 * Registers a direct chat whose user was admitted (allowlisted or paired): it is answered
 * from now on, every message, without a trigger — unless an admin unregistered it, which
 * it then stays. Returns the thread as it is now.
 */
export async function admitDirectThread(db: Kysely<Database>, threadId: number): Promise<Thread> {
  const admitted = await db
    .updateTable('threads')
    .set({ registered: true, requires_trigger: false })
    .where('id', '=', threadId)
    .where('unregistered_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return (
    admitted ??
    db.selectFrom('threads').selectAll().where('id', '=', threadId).executeTakeFirstOrThrow()
  );
}

/**
 * Unregisters a thread: its new messages are no longer stored or answered, and a direct
 * chat is not registered again by its user's next message. Returns false if unknown.
 */
export async function unregisterThread(db: Kysely<Database>, jid: string): Promise<boolean> {
  const result = await db
    .updateTable('threads')
    .set({ registered: false, is_main: false, unregistered_at: new Date() })
    .where('jid', '=', jid)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
