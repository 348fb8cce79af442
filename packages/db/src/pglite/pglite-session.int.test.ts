import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../tests/support/wait-for.ts';
import { migrateToLatest } from '../migrations.ts';
import { registerThread } from '../repos/threads-repo.ts';
import { type EmbeddedDatabase, openEmbeddedDatabase } from './open-embedded.ts';

let e: EmbeddedDatabase;
beforeAll(async () => {
  e = await openEmbeddedDatabase('memory://');
  await migrateToLatest(e.db);
});
afterAll(async () => {
  await e?.close();
});

describe('the embedded database', () => {
  it('keeps a transaction whole: another caller’s statement waits until it commits', async () => {
    const thread = await registerThread(e.db, { jid: 'web:tx-test' });
    const order: string[] = [];
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const tx = e.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('threads')
        .set({ title: 'changed' })
        .where('id', '=', thread.id)
        .execute();
      inside();
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push('commit');
    });
    await entered;
    // A statement from the queue side, while the transaction is open: it must not see (or
    // land in) the uncommitted change.
    const { rows } = await e.pool.query<{ title: string }>(
      'select title from threads where id = $1',
      [thread.id],
    );
    order.push(`read ${rows[0]!.title}`);
    await tx;
    expect(order).toEqual(['commit', 'read changed']);
  });

  it('rolls back a failed transaction and goes on serving', async () => {
    await expect(
      e.db.transaction().execute(async (trx) => {
        await registerThread(trx, { jid: 'web:rolled-back' });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const row = await e.db
      .selectFrom('threads')
      .select('id')
      .where('jid', '=', 'web:rolled-back')
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('returns values as the server driver does: bigint as number, numeric and date as text', async () => {
    const row = await sql<{
      big: number;
      money: string;
      day: string;
      at: Date;
    }>`select 9007199254740::bigint as big, 1.50::numeric as money, date '2026-12-01' as day, now() as at`.execute(
      e.db,
    );
    expect(row.rows[0]).toMatchObject({ big: 9007199254740, money: '1.50', day: '2026-12-01' });
    expect(row.rows[0]!.at).toBeInstanceOf(Date);
  });

  it('delivers notifications to each client listening, and one leaving does not deafen another', async () => {
    const [a, b] = await Promise.all([e.pool.connect(), e.pool.connect()]);
    const got: string[] = [];
    a.on('notification', (n: { payload: string }) => got.push(`a:${n.payload}`));
    b.on('notification', (n: { payload: string }) => got.push(`b:${n.payload}`));
    await a.query('LISTEN "gb:chan"');
    // As BullMQ writes its own: a comment block before the statement.
    await b.query('-- Subscribe to the channel.\n-- (a second line)\nLISTEN "gb:chan";');
    await e.pool.query('select pg_notify($1, $2)', ['gb:chan', 'one']);
    await waitFor('both notified', () => got.length === 2);
    expect(got.sort()).toEqual(['a:one', 'b:one']);
    await a.query('UNLISTEN *');
    a.release();
    await e.pool.query('select pg_notify($1, $2)', ['gb:chan', 'two']);
    await waitFor('the one still listening notified', () => got.length === 3);
    expect(got.at(-1)).toBe('b:two');
    b.release();
  });

  it('runs with a small install’s memory settings, not a server’s (see bench/README.md)', async () => {
    const shown = await sql<{
      shared_buffers: string;
    }>`select current_setting('shared_buffers') as shared_buffers`.execute(e.db);
    expect(shown.rows[0]?.shared_buffers).toBe('8MB');
  });

  it('refuses a damaged data directory with a message naming DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gridbot-damaged-'));
    try {
      await writeFile(join(dir, 'PG_VERSION'), 'not a version\n');
      await writeFile(join(dir, 'global'), 'a file where a directory belongs');
      await expect(openEmbeddedDatabase(dir)).rejects.toThrow(/DATA_DIR: the embedded database/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
