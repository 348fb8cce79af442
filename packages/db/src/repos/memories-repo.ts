import { type Kysely, sql } from 'kysely';
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

/** First key of the advisory locks that serialize one memory's writes (the second is the thread). */
const MEMORY_LOCK = 0x6d656d;

/** The most one memory (a thread's, or the global one) may hold. */
export interface MemoryCap {
  entries: number;
  /** Total of the entries' contents, in UTF-8 bytes. */
  bytes: number;
}

/** Why a write was refused: the memory would exceed its cap. */
export interface MemoryFull {
  full: true;
  entries: number;
  bytes: number;
}

/**
 * Adds an entry (`id` undefined) or replaces one, unless the memory would then exceed `cap`.
 * One memory's writes are serialized by an advisory lock, so concurrent writes cannot
 * pass the cap together. Returns the entry's id, `null` when there is no such entry to
 * replace, or what the memory holds when it is full.
 */
export async function writeMemoryWithinCap(
  db: Kysely<Database>,
  threadId: number | null,
  write: { id?: number; content: string },
  cap: MemoryCap,
): Promise<number | null | MemoryFull> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MEMORY_LOCK}, ${threadId ?? 0})`.execute(trx);
    const held = await trx
      .selectFrom('memories')
      .select((eb) => [
        eb.fn.countAll<string>().as('entries'),
        sql<string>`coalesce(sum(octet_length(content)), 0)`.as('bytes'),
        sql<string>`coalesce(sum(octet_length(content)) filter (where id = ${write.id ?? null}), 0)`.as(
          'replaced',
        ),
      ])
      .where('thread_id', threadId === null ? 'is' : '=', threadId)
      .executeTakeFirstOrThrow();
    const entries = Number(held.entries) + (write.id === undefined ? 1 : 0);
    const bytes = Number(held.bytes) - Number(held.replaced) + Buffer.byteLength(write.content);
    if (entries > cap.entries || bytes > cap.bytes)
      return { full: true, entries: Number(held.entries), bytes: Number(held.bytes) };
    if (write.id === undefined) return addMemory(trx, threadId, write.content);
    return (await replaceMemory(trx, threadId, write.id, write.content)) ? write.id : null;
  });
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
