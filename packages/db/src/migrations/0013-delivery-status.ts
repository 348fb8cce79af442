import { type Kysely, sql } from 'kysely';

/**
 * What the platform later said of a sent row (WhatsApp's status webhooks): `sent`,
 * `delivered`, `read` or `failed` with the reason. Found by the platform ids of the row's
 * messages, hence the index on them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('delivery_status', 'text', (c) =>
      c.check(sql`delivery_status in ('sent', 'delivered', 'read', 'failed')`),
    )
    .addColumn('delivery_error', 'text')
    .addColumn('delivery_updated_at', 'timestamptz')
    .execute();
  await sql`create index outbox_platform_message_ids on outbox using gin (platform_message_ids jsonb_path_ops)`.execute(
    db,
  );
}
