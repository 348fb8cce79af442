import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError } from '@gridbot/core';
import { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { PglitePool } from './pglite-pool.ts';
import { PgliteSession } from './pglite-session.ts';

/**
 * Postgres's memory for one small install, not its server defaults: PGlite touches all of
 * `shared_buffers` (128 MB by default) at start. With these, a bare PGlite reopening its
 * database sits at about 198 MB RSS instead of 340 MB (see bench/README.md, "Embedded").
 */
const EMBEDDED_POSTGRES_CONF = [
  'shared_buffers=8MB',
  'wal_buffers=256kB',
  'work_mem=1MB',
  'maintenance_work_mem=4MB',
  'temp_buffers=1MB',
];

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/** The embedded database of `gridbot start` when `DATABASE_URL` is not set. */
export interface EmbeddedDatabase {
  db: Kysely<Database>;
  session: PgliteSession;
  /** A pg-Pool look-alike on the same session, for BullMQ and the pub/sub. */
  pool: PglitePool;
  /** Where its files are (`memory://` for one in memory, in tests). */
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Opens (creating when new) the embedded Postgres in `dataDir`. Values come back as from
 * the server (see `createDatabase`): `bigint` as numbers, `numeric` and `date` as strings.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  if (!dataDir.startsWith('memory://')) {
    try {
      await mkdir(dataDir, { recursive: true });
    } catch (error) {
      throw new ConfigError(
        `DATA_DIR: cannot create the embedded database directory ${dataDir} (${(error as Error).message}). Make DATA_DIR writable or point it elsewhere.`,
        ['DATA_DIR'],
      );
    }
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      dataDir,
      postgresqlconf: EMBEDDED_POSTGRES_CONF,
      parsers: {
        [INT8]: (value: string) => Number(value),
        [NUMERIC]: (value: string) => value,
        [DATE]: (value: string) => value,
      },
    });
  } catch (error) {
    throw new ConfigError(
      `DATA_DIR: the embedded database in ${dataDir} cannot be opened (${(error as Error).message || String(error)}). If it is damaged, move it away and restore a backup (gridbot restore).`,
      ['DATA_DIR'],
    );
  }
  // GridBot's tables first; BullMQ's functions and tables (schema bullmq) by their own names.
  await pglite.exec('set search_path to public, bullmq');
  const session = new PgliteSession(pglite);
  const db = new Kysely<Database>({ dialect: new PgliteDialect(session) });
  return {
    db,
    session,
    pool: new PglitePool(session),
    dataDir,
    async close() {
      await db.destroy();
      await session.close();
    },
  };
}
