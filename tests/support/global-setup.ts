import { migrateToLatest } from '@gridbot/db';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { databaseUrl, TEMPLATE_DB, TEST_DB_PREFIX, TEST_PG_URL } from './services.ts';

/** Builds a migrated template database once; every test file clones it (fast, isolated). */
export default async function setup(): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  const stale = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like $1 or datname = $2`,
    [`${TEST_DB_PREFIX}%`, TEMPLATE_DB],
  );
  for (const { datname } of stale.rows) {
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
  await admin.end();
  return async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    await client.query(`drop database if exists "${TEMPLATE_DB}" with (force)`);
    await client.end();
  };
}
