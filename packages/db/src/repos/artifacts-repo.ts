import type { Kysely } from 'kysely';
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
