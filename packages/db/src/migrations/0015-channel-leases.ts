import { type Kysely, sql } from 'kysely';

/**
 * Who receives a channel account's events when only one process may (Telegram's
 * `getUpdates`, one per bot token): the holder renews before `expires_at`; once it passes,
 * another may claim it, and `epoch` counts the hand-overs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('channel_leases')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('holder', 'text', (col) => col.notNull())
    .addColumn('epoch', 'bigint', (col) => col.notNull().defaultTo(1))
    .addColumn('acquired_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .execute();
}
