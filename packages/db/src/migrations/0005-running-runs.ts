import { type Kysely, sql } from 'kysely';

/**
 * Runs still marked running, by thread: a lease taken over from a dead worker marks that
 * worker's runs failed in the same statement, so the lookup must stay small however many
 * runs a thread has had.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('agent_runs_running')
    .on('agent_runs')
    .column('thread_id')
    .where(sql.ref('status'), '=', 'running')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('agent_runs_running').execute();
}
