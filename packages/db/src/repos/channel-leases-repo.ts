import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

/** A lease as its claim or renewal left it. */
export interface ChannelLeaseState {
  holder: string;
  /** Raised at every hand-over to a new holder. */
  epoch: number;
  expiresAt: Date;
}

/**
 * Claims the lease `name` for `holder` for `ttlMs` (the database's clock): taken when it is
 * free, expired or already this holder's. Returns who holds it afterwards.
 */
export async function claimChannelLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<ChannelLeaseState> {
  const expires = sql<Date>`now() + ${ttlMs} * interval '1 millisecond'`;
  const claimed = await db
    .insertInto('channel_leases')
    .values({ name, holder, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({
          holder,
          expires_at: expires,
          epoch: sql`case when channel_leases.holder = ${holder} then channel_leases.epoch else channel_leases.epoch + 1 end`,
          acquired_at: sql`case when channel_leases.holder = ${holder} then channel_leases.acquired_at else now() end`,
        })
        .where((eb) =>
          eb.or([
            eb('channel_leases.holder', '=', holder),
            eb('channel_leases.expires_at', '<', sql<Date>`now()`),
          ]),
        ),
    )
    .returning(['holder', 'epoch', 'expires_at'])
    .executeTakeFirst();
  const row =
    claimed ??
    (await db
      .selectFrom('channel_leases')
      .select(['holder', 'epoch', 'expires_at'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow());
  return { holder: row.holder, epoch: Number(row.epoch), expiresAt: row.expires_at };
}

/**
 * Extends `holder`'s lease of `epoch` by `ttlMs`; false when it is no longer theirs (it
 * expired and another claimed it).
 */
export async function renewChannelLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  epoch: number,
  ttlMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('channel_leases')
    .set({ expires_at: sql<Date>`now() + ${ttlMs} * interval '1 millisecond'` })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .where('epoch', '=', epoch)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Lets the lease go at once (a clean stop), so a standby need not wait for it to expire. */
export async function releaseChannelLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
): Promise<void> {
  await db
    .updateTable('channel_leases')
    .set({ expires_at: sql<Date>`now() - interval '1 millisecond'` })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .execute();
}
