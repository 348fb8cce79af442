import type { Kysely } from 'kysely';

/**
 * When an admin last unregistered the thread: a direct chat so marked is no longer
 * registered again by its allowed user's next message (registering clears it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('threads').addColumn('unregistered_at', 'timestamptz').execute();
}
