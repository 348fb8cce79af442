import { type Kysely, sql } from 'kysely';

/**
 * Indexes of the recovery paths, kept small by being partial:
 * - runs still marked running, by thread: a lease taken over from a dead worker marks that
 *   worker's runs failed in the same statement, however many runs the thread has had;
 * - pending replies by thread: a reply is sent only after its chat's earlier ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('agent_runs_running')
    .on('agent_runs')
    .column('thread_id')
    .where(sql.ref('status'), '=', 'running')
    .execute();
  await db.schema
    .createIndex('outbox_pending_by_thread')
    .on('outbox')
    .columns(['thread_id', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_pending_by_thread').execute();
  await db.schema.dropIndex('agent_runs_running').execute();
}
