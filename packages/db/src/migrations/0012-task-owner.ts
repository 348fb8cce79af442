import type { Kysely } from 'kysely';

/**
 * Whose task it is: the person whose message started the run that scheduled it. Its
 * firings run with that person's `/defaults` (under the chat's own settings), as the run
 * that scheduled it did; a task from the CLI or an older version has none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('scheduled_tasks')
    .addColumn('owner_user_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .execute();
}
