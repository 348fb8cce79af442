import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@gridbot/db';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGridbot } from './support/gridbot-process.ts';
import { databaseUrl } from './support/services.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let source: TestDatabase;
let dir: string;

beforeAll(async () => {
  source = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'gridbot-backup-'));
  await seed(source.db);
});

afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Rows in every table of the data model, with jsonb, numeric and time values. */
async function seed(db: Kysely<Database>): Promise<void> {
  const threadIds: number[] = [];
  for (const [i, jid] of ['telegram:-1001', 'telegram:-1002', 'discord:42'].entries()) {
    const { id } = await db
      .insertInto('threads')
      .values({
        jid,
        channel: jid.split(':')[0] ?? 'telegram',
        platform_chat_id: jid.split(':')[1] ?? '',
        is_group: true,
        registered: true,
        is_main: i === 0,
        config: JSON.stringify({ model: `m${i}` }),
        last_activity: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    threadIds.push(id);
  }
  const { id: userId } = await db
    .insertInto('users')
    .values({
      channel: 'telegram',
      platform_user_id: '7',
      name: 'Ann',
      config: '{}',
      last_seen: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const threadId of threadIds) {
    for (let n = 0; n < 5; n++) {
      await db
        .insertInto('messages')
        .values({
          thread_id: threadId,
          platform_message_id: String(n),
          sender_id: userId,
          sender_name: 'Ann',
          role: 'user',
          content: `message ${n} ✓`,
          sent_at: new Date(),
          metadata: JSON.stringify({ n }),
        })
        .execute();
    }
    const { id: runId } = await db
      .insertInto('agent_runs')
      .values({
        thread_id: threadId,
        trigger: 'message',
        status: 'succeeded',
        worker: 'w1',
        attempt: 1,
        lease_token: 3,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('outbox')
      .values({
        thread_id: threadId,
        run_id: runId,
        channel: 'telegram',
        jid: 'x',
        payload: JSON.stringify({ text: 'hi', replyTo: null }),
        platform_message_ids: '["9"]',
      })
      .execute();
    const { id: taskId } = await db
      .insertInto('scheduled_tasks')
      .values({
        thread_id: threadId,
        prompt: 'daily',
        schedule_kind: 'cron',
        schedule_value: '0 9 * * *',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('task_runs')
      .values({ task_id: taskId, run_id: runId, run_at: new Date(), status: 'succeeded' })
      .execute();
    await db
      .insertInto('approvals')
      .values({ thread_id: threadId, run_id: runId, proposal: JSON.stringify({ kind: 'x' }) })
      .execute();
    await db
      .insertInto('artifacts')
      .values({ thread_id: threadId, kind: 'image', url: 'https://x/y.png', metadata: '{}' })
      .execute();
    await db.insertInto('memories').values({ thread_id: threadId, content: 'likes tea' }).execute();
    await db
      .insertInto('token_ledger')
      .values({
        scope: 'thread',
        thread_id: threadId,
        run_id: runId,
        provider: 'anthropic',
        model: 'claude',
        input_tokens: 100,
        output_tokens: 20,
        cost: '0.000123',
      })
      .execute();
  }
  await db
    .insertInto('instances')
    .values({
      id: 'host-1:worker:123',
      role: 'worker',
      host: 'host-1',
      pid: 123,
      version: '0.1.0',
      started_at: new Date(),
      heartbeat_at: new Date(),
      status: 'up',
    })
    .execute();
  await db
    .insertInto('audit_log')
    .values({ actor: 'cli', action: 'register', target: 'telegram:-1001', details: '{}' })
    .execute();
}

/** Row count of every base table in the public schema, by name. */
/**
 * Rows of every table: GridBot's (by name) and the job queues' of the Postgres-only mode
 * (`bullmq.<name>`), which a backup carries too.
 */
async function rowCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const tables = await sql<{ table_schema: string; table_name: string }>`
    select table_schema, table_name from information_schema.tables
     where table_schema in ('public', 'bullmq') and table_type = 'BASE TABLE'
     order by table_schema, table_name`.execute(db);
  const counts: Record<string, number> = {};
  for (const { table_schema: schema, table_name: name } of tables.rows) {
    const r = await sql<{
      n: string;
    }>`select count(*) as n from ${sql.table(`${schema}.${name}`)}`.execute(db);
    counts[schema === 'public' ? name : `${schema}.${name}`] = Number(r.rows[0]?.n);
  }
  return counts;
}

const BACKUP_PATH = /^(\/.*\/gridbot_\d{8}_\d{6}\.dump)$/m;

describe('gridbot backup and restore', () => {
  let file: string;

  it('backs up with progress, restores into an empty database, and every table has the same rows', async () => {
    const backup = await runGridbot(['backup', '--dir', dir], { DATABASE_URL: source.url });
    expect(backup.code, backup.output).toBe(0);
    file = BACKUP_PATH.exec(backup.output)?.[1] ?? '';
    expect(file, backup.output).not.toBe('');
    expect(backup.output).toMatch(/\[#{20}\] (\d+)\/\1 tables/);

    const before = await rowCounts(source.db);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['threads', 'users', 'messages', 'token_ledger', 'kysely_migration']),
    );
    for (const table of ['threads', 'messages', 'outbox', 'instances', 'audit_log']) {
      expect(before[table], table).toBeGreaterThan(0);
    }

    const target = await createTestDatabase({ migrated: false });
    try {
      const restore = await runGridbot(['restore', file], { DATABASE_URL: target.url });
      expect(restore.code, restore.output).toBe(0);
      expect(restore.output).toMatch(/\[#{20}\] (\d+)\/\1 tables/);
      expect(restore.output).toContain(`Restored ${Object.keys(before).length} tables`);
      expect(await rowCounts(target.db)).toEqual(before);

      const ledger = await target.db.selectFrom('token_ledger').select('cost').execute();
      expect(ledger.map((r) => r.cost)).toEqual(['0.000123', '0.000123', '0.000123']);
      // Identity sequences came back too: a new row does not collide with restored ids.
      const { id } = await target.db
        .insertInto('audit_log')
        .values({ actor: 'cli', action: 'after-restore', details: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(id).toBeGreaterThan(1);
    } finally {
      await target.drop();
    }
  });

  it('refuses to restore into a database that has GridBot tables, unless --force', async () => {
    const refused = await runGridbot(['restore', file], { DATABASE_URL: source.url });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('The target database is not empty');
    expect(refused.output).toContain('--force');

    const target = await createTestDatabase();
    try {
      await target.db
        .insertInto('audit_log')
        .values({ actor: 'x', action: 'stale', details: '{}' })
        .execute();
      const forced = await runGridbot(['restore', file, '--force'], { DATABASE_URL: target.url });
      expect(forced.code, forced.output).toBe(0);
      expect(await rowCounts(target.db)).toEqual(await rowCounts(source.db));
    } finally {
      await target.drop();
    }
  });

  it('says what is wrong for a missing or bad file, and never prints the password', async () => {
    const missing = await runGridbot(['restore', join(dir, 'nope.dump')], {
      DATABASE_URL: source.url,
    });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('the file does not exist');

    const junk = join(dir, 'junk.dump');
    await writeFile(junk, 'not a dump');
    const bad = await runGridbot(['restore', junk], { DATABASE_URL: source.url });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('not a pg_dump custom-format archive');

    const secretUrl = new URL(databaseUrl('gridbot_t_does_not_exist'));
    secretUrl.username = 'postgres';
    secretUrl.password = 'Sup3rSecretPw';
    for (const args of [
      ['backup', '--dir', dir],
      ['restore', file],
    ]) {
      const failed = await runGridbot(args, { DATABASE_URL: secretUrl.toString() });
      expect(failed.code, failed.output).toBe(1);
      expect(failed.output).toContain('does not exist');
      expect(failed.output).not.toContain('Sup3rSecretPw');
    }

    const noArg = await runGridbot(['restore'], { DATABASE_URL: source.url });
    expect(noArg.code).toBe(2);
    expect(noArg.output).toContain('needs a backup file');
  });

  it('names pg_dump when it is not installed', async () => {
    const result = await runGridbot(['backup', '--dir', dir], {
      DATABASE_URL: source.url,
      PATH: '/nonexistent',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('pg_dump was not found on PATH');
  });
});
