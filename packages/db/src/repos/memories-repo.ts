import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

export interface MemoryEntry {
  id: number;
  content: string;
  updatedAt: Date;
}

/** A thread's memory (or the global memory for `threadId` null), oldest first. */
export async function listMemories(
  db: Kysely<Database>,
  threadId: number | null,
): Promise<MemoryEntry[]> {
  const rows = await db
    .selectFrom('memories')
    .select(['id', 'content', 'updated_at'])
    .where('thread_id', threadId === null ? 'is' : '=', threadId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, content: r.content, updatedAt: r.updated_at }));
}

/** Adds an entry; returns its id. */
export async function addMemory(
  db: Kysely<Database>,
  threadId: number | null,
  content: string,
): Promise<number> {
  const row = await db
    .insertInto('memories')
    .values({ thread_id: threadId, content })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces an entry of that scope; false when no such entry belongs to it. */
export async function replaceMemory(
  db: Kysely<Database>,
  threadId: number | null,
  id: number,
  content: string,
): Promise<boolean> {
  const result = await db
    .updateTable('memories')
    .set({ content, updated_at: new Date() })
    .where('id', '=', id)
    .where('thread_id', threadId === null ? 'is' : '=', threadId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Deletes an entry of that scope; false when no such entry belongs to it. */
export async function removeMemory(
  db: Kysely<Database>,
  threadId: number | null,
  id: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('memories')
    .where('id', '=', id)
    .where('thread_id', threadId === null ? 'is' : '=', threadId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
