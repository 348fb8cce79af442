import { randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '@gridbot/db';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { databaseUrl, TEMPLATE_DB, TEST_DB_PREFIX, TEST_PG_URL } from './services.ts';

export interface TestDatabase {
  name: string;
  url: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of this test file's own, cloned from the template. */
export async function createTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${randomBytes(6).toString('hex')}`;
  await admin((c) =>
    c.query(
      options.migrated === false
        ? `create database "${name}"`
        : `create database "${name}" template "${TEMPLATE_DB}"`,
    ),
  );
  const url = databaseUrl(name);
  const db = createDatabase({ connectionString: url, max: 5 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
