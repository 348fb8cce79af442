import { join, resolve } from 'node:path';
import {
  createDatabase,
  type Database,
  type EmbeddedDatabase,
  migrateToLatest,
  openEmbeddedDatabase,
} from '@gridbot/db';
import { assertPostgresReachable, baseEnvShape, lockDataDir, parseEnv } from '@gridbot/service';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { UsageError } from './usage-error.ts';

/** The database an admin command works on, and how to let it go. */
export interface AdminDatabase {
  db: Kysely<Database>;
  /** The Postgres server's URL, or null on the embedded database of DATA_DIR (no scheduler runs meanwhile). */
  databaseUrl: string | null;
  close(): Promise<void>;
}

/**
 * `DATABASE_URL`'s Postgres, or without it the embedded database of `DATA_DIR` — which only
 * one process may open, so a running `gridbot start` is named with `whileRunning`: what to
 * do instead (its dashboard, or stopping it).
 */
export async function openAdminDatabase(
  env: Record<string, string | undefined>,
  whileRunning: string,
): Promise<AdminDatabase> {
  if (env.DATABASE_URL) {
    const { DATABASE_URL } = parseEnv(z.object({ DATABASE_URL: baseEnvShape.DATABASE_URL }), env);
    const db = createDatabase({
      connectionString: DATABASE_URL,
      max: 1,
      applicationName: 'gridbot-cli',
    });
    try {
      await assertPostgresReachable(db, DATABASE_URL);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return { db, databaseUrl: DATABASE_URL, close: () => db.destroy() };
  }
  const dataDir = resolve(env.DATA_DIR || './data');
  const unlock = await lockDataDir(dataDir, whileRunning).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  let database: EmbeddedDatabase | undefined;
  try {
    database = await openEmbeddedDatabase(join(dataDir, 'db'));
    await migrateToLatest(database.db);
    const opened = database;
    return {
      db: opened.db,
      databaseUrl: null,
      async close() {
        await opened.close();
        await unlock();
      },
    };
  } catch (error) {
    await database?.close();
    await unlock();
    throw error;
  }
}
