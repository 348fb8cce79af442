import { type Kysely, sql } from 'kysely';

/**
 * `/reset` and `/history search`: a thread's context start (messages up to this id stay
 * stored and searchable, but are no longer sent to the model), and a full-text index over
 * message contents. The text search configuration is `simple` (no stemming, no stop words),
 * which works alike for every language a group may write in; PGlite has it too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('threads')
    .addColumn('history_from', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // An expression index: no stored column to keep in step, and queries must use exactly
  // `to_tsvector('simple', content)` to be served by it (see `searchMessages`).
  await sql`create index messages_content_search on messages using gin (to_tsvector('simple', content))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_content_search').execute();
  await db.schema.alterTable('threads').dropColumn('history_from').execute();
}
