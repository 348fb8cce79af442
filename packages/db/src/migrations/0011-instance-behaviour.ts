import type { Kysely } from 'kysely';

/**
 * The global behaviour settings a worker runs with (its environment's model, provider,
 * token budget …), so the gateways' `/config` and `/status` and the dashboard show the
 * values runs really start from rather than built-in defaults.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('instances').addColumn('behaviour', 'jsonb').execute();
}
