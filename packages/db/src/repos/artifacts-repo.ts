import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

export interface NewArtifactInput {
  threadId: number;
  messageId: number | null;
  kind: 'image' | 'file';
  url: string | null;
  storageKey: string | null;
  prompt: string | null;
  analysis: string | null;
  metadata: Record<string, unknown>;
}

/** Records an artifact by reference (URL or storage key); returns its id. */
export async function insertArtifact(
  db: Kysely<Database>,
  input: NewArtifactInput,
): Promise<number> {
  const row = await db
    .insertInto('artifacts')
    .values({
      thread_id: input.threadId,
      message_id: input.messageId,
      kind: input.kind,
      url: input.url,
      storage_key: input.storageKey,
      prompt: input.prompt,
      analysis: input.analysis,
      original_analysis: input.analysis,
      metadata: JSON.stringify(input.metadata),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An image of a thread, as the worker and the commands see it. */
export interface ThreadImage {
  id: number;
  messageId: number | null;
  storageKey: string | null;
  mimeType: string | null;
  /** As the platform declared them. */
  width: number | null;
  height: number | null;
  analysis: string | null;
  createdAt: Date;
}

function imageRows(db: Kysely<Database>, threadId: number) {
  return db
    .selectFrom('artifacts')
    .select([
      'id',
      'message_id as messageId',
      'storage_key as storageKey',
      sql<string | null>`metadata->>'mimeType'`.as('mimeType'),
      sql<number | null>`(metadata->>'width')::int`.as('width'),
      sql<number | null>`(metadata->>'height')::int`.as('height'),
      'analysis',
      'created_at as createdAt',
    ])
    .where('thread_id', '=', threadId)
    .where('kind', '=', 'image');
}

/** The thread's images attached to these messages (never another thread's), oldest first. */
export async function imagesOfMessages(
  db: Kysely<Database>,
  threadId: number,
  messageIds: readonly number[],
): Promise<ThreadImage[]> {
  if (messageIds.length === 0) return [];
  return imageRows(db, threadId)
    .where('message_id', 'in', [...messageIds])
    .orderBy('id')
    .execute();
}

/** One image of the thread by its number, or undefined (another thread's is not found). */
export async function threadImage(
  db: Kysely<Database>,
  threadId: number,
  id: number,
): Promise<ThreadImage | undefined> {
  return imageRows(db, threadId).where('id', '=', id).executeTakeFirst();
}

/** The thread's images, newest first, optionally those whose analysis has every word. */
export async function listThreadImages(
  db: Kysely<Database>,
  threadId: number,
  options: { words?: readonly string[]; limit?: number } = {},
): Promise<ThreadImage[]> {
  let query = imageRows(db, threadId);
  for (const word of options.words ?? []) {
    query = query.where('analysis', 'ilike', `%${word.replace(/[\\%_]/g, '\\$&')}%`);
  }
  return query
    .orderBy('id', 'desc')
    .limit(options.limit ?? 20)
    .execute();
}

/** Stores a model's description of an image; the first one is kept as `original_analysis`. */
export async function setImageAnalysis(
  db: Kysely<Database>,
  id: number,
  analysis: string | null,
): Promise<void> {
  await db
    .updateTable('artifacts')
    .set({
      analysis,
      original_analysis: sql`coalesce(original_analysis, ${analysis})`,
    })
    .where('id', '=', id)
    .execute();
}
