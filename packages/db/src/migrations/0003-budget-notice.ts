import type { Kysely } from 'kysely';

/** The day a thread was last told its daily token budget is spent, so it is told once a day. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('threads').addColumn('budget_notice_on', 'date').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('threads').dropColumn('budget_notice_on').execute();
}
