import { type Kysely, sql } from 'kysely';

/** Messages skipped after every attempt of their run failed, kept for an operator's retry. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dead_letters')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('thread_id', 'bigint', (c) =>
      c.notNull().references('threads.id').onDelete('cascade'),
    )
    .addColumn('run_id', 'bigint', (c) => c.references('agent_runs.id').onDelete('set null'))
    .addColumn('after_cursor', 'bigint', (c) => c.notNull())
    .addColumn('last_message_id', 'bigint', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open', 'retried', 'dismissed')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .execute();
  await db.schema
    .createIndex('dead_letters_open')
    .on('dead_letters')
    .column('created_at')
    .where(sql.ref('status'), '=', 'open')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dead_letters').execute();
}
