import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GridBotError } from '@gridbot/core';
import { backupFileName } from './backup-file-name.ts';
import { listUserTables, pgConnection, runPgTool, withPgClient } from './pg-tools.ts';

/** Progress of a dump or restore: `done` of `total` tables' data processed so far. */
export interface TableProgress {
  /** The table just started, as `schema.table`. */
  table: string;
  done: number;
  total: number;
}

export interface BackupOptions {
  /** The database to dump; may hold the password (it is never logged or passed in argv). */
  connectionString: string;
  /** Directory for the dump file; created when missing. */
  dir: string;
  /** Clock for the file name (UTC). */
  now?: Date;
  onProgress?: (progress: TableProgress) => void;
  /** The environment the PostgreSQL client runs in (PATH, PGSSLMODE…): the caller's own. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface BackupResult {
  /** Full path of the dump file. */
  file: string;
  bytes: number;
  /** Tables whose data was dumped. */
  tables: number;
}

const DUMPING = /dumping contents of table "(.+)"$/;

/**
 * Dumps the whole database with `pg_dump -Fc` into `dir/gridbot_YYYYMMDD_HHMMSS.dump`.
 * The dump is written under a `.partial` name and renamed when complete, so a crash
 * never leaves a truncated file that looks like a backup. Rejects with
 * `PgToolMissingError` when pg_dump is not installed, `PgToolFailedError` when it fails.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  await mkdir(options.dir, { recursive: true });
  const file = join(options.dir, backupFileName(options.now ?? new Date()));
  if (await exists(file)) {
    throw new GridBotError(`A backup named ${file} already exists; try again in a second.`);
  }
  const partial = `${file}.partial`;
  const total = await withPgClient(
    options.connectionString,
    async (client) => (await listUserTables(client)).length,
  );
  const connection = pgConnection(options.connectionString);
  let done = 0;
  try {
    await runPgTool(
      'pg_dump',
      ['-Fc', '--no-owner', '--no-privileges', '--verbose', '-d', connection.target, '-f', partial],
      {
        connection,
        env: options.env,
        onStderr(line) {
          const table = DUMPING.exec(line)?.[1];
          if (table === undefined) return;
          done += 1;
          options.onProgress?.({ table, done, total: Math.max(total, done) });
        },
      },
    );
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const { size } = await stat(file);
  return { file, bytes: size, tables: done };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
