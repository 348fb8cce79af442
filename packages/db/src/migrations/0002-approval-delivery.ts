import type { Kysely } from 'kysely';

/** Records when a decided approval was handed to a run, so each decision reaches the agent once. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('approvals').addColumn('delivered_at', 'timestamptz').execute();
  await db.schema
    .createIndex('approvals_thread_status')
    .on('approvals')
    .columns(['thread_id', 'status'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('approvals_thread_status').execute();
  await db.schema.alterTable('approvals').dropColumn('delivered_at').execute();
}
