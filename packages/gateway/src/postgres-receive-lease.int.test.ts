import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../tests/support/fake-bot-api.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { PostgresReceiveLease } from './postgres-receive-lease.ts';

let database: TestDatabase;
const TTL_MS = 1_200;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const lease = (holder: string, name = 'telegram:1') =>
  new PostgresReceiveLease({
    db: database.db,
    name,
    holder,
    ttlMs: TTL_MS,
    logger: captureLogger().logger,
  });

async function holderOf(name: string): Promise<string | undefined> {
  const row = await database.db
    .selectFrom('channel_leases')
    .select(['holder', 'expires_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row && row.expires_at > new Date() ? row.holder : undefined;
}

describe('PostgresReceiveLease', () => {
  it('is held by one process at a time; the other waits and takes it once released', async () => {
    const stop = new AbortController();
    const first = await lease('gateway-a').acquire(stop.signal);
    expect(first).not.toBeNull();
    let second: Awaited<ReturnType<PostgresReceiveLease['acquire']>> | undefined;
    const waiting = lease('gateway-b')
      .acquire(stop.signal)
      .then((held) => {
        second = held;
      });
    // Renewed past its TTL: still gateway-a's, and gateway-b still waits.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS * 2));
    expect(await holderOf('telegram:1')).toBe('gateway-a');
    expect(second).toBeUndefined();
    expect(first!.lost.aborted).toBe(false);
    const released = Date.now();
    await first!.release();
    await waiting;
    expect(second).not.toBeNull();
    // Released, not expired: taken over within one retry (a third of the TTL).
    expect(Date.now() - released).toBeLessThan(TTL_MS);
    expect(await holderOf('telegram:1')).toBe('gateway-b');
    await second!.release();
  });

  it('passes to a standby once a holder that died stops renewing, and the old holder learns it lost it', async () => {
    const stop = new AbortController();
    const name = 'telegram:2';
    // A holder that died: its row stays, unrenewed, until it expires.
    await database.db
      .insertInto('channel_leases')
      .values({ name, holder: 'gateway-dead', expires_at: new Date(Date.now() + 500) })
      .execute();
    const taken = await lease('gateway-b', name).acquire(stop.signal);
    expect(await holderOf(name)).toBe('gateway-b');
    const row = await database.db
      .selectFrom('channel_leases')
      .select('epoch')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    expect(Number(row.epoch)).toBe(2);

    // Another claims it behind gateway-b's back (as after a pause longer than the TTL).
    await database.db
      .updateTable('channel_leases')
      .set({ holder: 'gateway-c', epoch: 3 })
      .where('name', '=', name)
      .execute();
    await waitFor('gateway-b to learn it lost the lease', () => taken!.lost.aborted, 5_000);
    await taken!.release();
    expect(await holderOf(name)).toBe('gateway-c');
  });

  it('gives up waiting when told to stop', async () => {
    const stop = new AbortController();
    const held = await lease('gateway-a', 'telegram:3').acquire(stop.signal);
    const waiting = lease('gateway-b', 'telegram:3').acquire(stop.signal);
    stop.abort();
    expect(await waiting).toBeNull();
    await held!.release();
  });
});
