import type { Kysely } from 'kysely';

/**
 * Who caused an approval request (the sender of the run's triggering message): with the
 * admins, the only person whose `/approve` or `/reject` decides it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('approvals')
    .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
}
