import { type Kysely, sql } from 'kysely';

/**
 * Pairing codes for unknown users of direct chats: one row per code handed out, approved by
 * an admin. Rows belong to the direct chat's thread and go with it (retention, deletion).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pairing_requests')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('platform_user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('jid', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('approved_at', 'timestamptz')
    .addColumn('approved_by', 'text')
    .execute();
  // A user's open request: `where channel = $1 and platform_user_id = $2 and approved_at is null
  // and expires_at > now()`. Expiry cannot be in the predicate (now() is not immutable).
  await sql`create index pairing_requests_open on pairing_requests (channel, platform_user_id, expires_at) where approved_at is null`.execute(
    db,
  );
  // The foreign key's own index, so deleting a thread does not scan the table.
  await db.schema
    .createIndex('pairing_requests_thread_id')
    .on('pairing_requests')
    .column('thread_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pairing_requests').ifExists().execute();
}
