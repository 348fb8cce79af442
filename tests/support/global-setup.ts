import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateToLatest } from '@gridbot/db';
import { runMigrations } from 'bullmq';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import {
  ANY_TEST_DB,
  databaseUrl,
  TEMPLATE_DB,
  TEST_AGENT_IMAGE,
  TEST_PG_URL,
  TEST_RUN,
} from './services.ts';

const BUILD_IMAGE = fileURLToPath(
  new URL('../../infra/agent/build-offline-image.sh', import.meta.url),
);

/** Builds the agent image the container tests run (a second or two; no pull). */
function buildAgentImage(): void {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe' });
  } catch {
    throw new Error(
      'The Docker engine is not reachable; the container tests need it. Start dockerd (see .ci/run).',
    );
  }
  execFileSync(BUILD_IMAGE, [TEST_AGENT_IMAGE, '--with-fixtures'], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
  });
}

/** Builds a migrated template database once; every test file clones it (fast, isolated). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Every project of a run shares one setup (each project loads this file anew, so the state
 * lives on globalThis): the first to ask prepares, the others wait for it, and the last to
 * finish tears down.
 */
const shared = globalThis as typeof globalThis & {
  gridbotTestSetup?: { prepared: Promise<() => Promise<void>>; users: number };
};

export default async function setup(): Promise<() => Promise<void>> {
  shared.gridbotTestSetup ??= { prepared: prepare(), users: 0 };
  const state = shared.gridbotTestSetup;
  state.users++;
  const teardown = await state.prepared;
  return async () => {
    if (--state.users === 0) await teardown();
  };
}

async function prepare(): Promise<() => Promise<void>> {
  // Test workers start after this and inherit it: they name their databases after this run.
  process.env.GRIDBOT_TEST_RUN = TEST_RUN;
  buildAgentImage();
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  // Leftovers of runs that died (their pid is gone); databases of live concurrent runs stay.
  const stale = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like $1 or datname = 'gridbot_test_template'`,
    [`${ANY_TEST_DB}%`],
  );
  for (const { datname } of stale.rows) {
    const run = /^gridbot_t_(\d+)_/.exec(datname)?.[1];
    if (run && processAlive(Number(run))) continue;
    await admin.query(`drop database if exists "${datname}" with (force)`);
  }
  await admin.query(`create database "${TEMPLATE_DB}"`);
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: databaseUrl(TEMPLATE_DB), max: 1 }),
    }),
  });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  // BullMQ's schema too, for the Postgres-only mode: each test database starts with it.
  const template = new pg.Client({ connectionString: databaseUrl(TEMPLATE_DB) });
  await template.connect();
  try {
    await runMigrations(template);
  } finally {
    await template.end();
  }
  await admin.end();
  return async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    await client.query(`drop database if exists "${TEMPLATE_DB}" with (force)`);
    await client.end();
  };
}
