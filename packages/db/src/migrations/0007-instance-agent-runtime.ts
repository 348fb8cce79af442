import { type Kysely, sql } from 'kysely';

/**
 * How a worker runs its agents (`docker`, or `process`: not isolated), so that the
 * dashboard and `/status` can say when agents run unsandboxed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('instances')
    .addColumn('agent_runtime', 'text', (c) => c.check(sql`agent_runtime in ('docker', 'process')`))
    .execute();
}
