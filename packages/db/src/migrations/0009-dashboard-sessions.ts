import { type Kysely, sql } from 'kysely';

/**
 * Dashboard sessions kept server-side, so a logout (or a new dashboard token) ends a
 * session on every dashboard instance, not only in the browser that held the cookie.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dashboard_sessions')
    // SHA-256 of the session id in the cookie: the table alone opens no session.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    // Which dashboard token issued it: a new token ends the sessions of the old one.
    .addColumn('token_fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dashboard_sessions_expires')
    .on('dashboard_sessions')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dashboard_sessions').execute();
}
