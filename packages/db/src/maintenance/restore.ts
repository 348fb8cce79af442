import { stat } from 'node:fs/promises';
import type { TableProgress } from './backup.ts';
import {
  BackupFileError,
  PgToolFailedError,
  RestoreTargetNotEmptyError,
} from './maintenance-errors.ts';
import { pgConnection, runPgTool, withPgClient } from './pg-tools.ts';

export interface RestoreOptions {
  /** The target database; may hold the password (it is never logged or passed in argv). */
  connectionString: string;
  /** A `pg_dump -Fc` archive, as written by `backupDatabase`. */
  file: string;
  /** Restore even though the target has GridBot tables: those in the dump are dropped first. */
  force?: boolean;
  onProgress?: (progress: TableProgress) => void;
  /** The environment the PostgreSQL client runs in (PATH, PGSSLMODE…): the caller's own. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface RestoreResult {
  /** Tables whose data was restored. */
  tables: number;
}

/** Tables whose presence marks a database as GridBot's (the schema and its migration log). */
const GRIDBOT_TABLES = [
  'threads',
  'users',
  'messages',
  'agent_runs',
  'outbox',
  'scheduled_tasks',
  'token_ledger',
  'kysely_migration',
];

const PROCESSING = /processing data for table "(.+)"$/;
const TABLE_DATA = /^\d+; \d+ \d+ TABLE DATA /;

/**
 * Restores a backup with `pg_restore` in a single transaction: either every table comes
 * back or nothing changes. Refuses a target that already has GridBot tables
 * (`RestoreTargetNotEmptyError`) unless `force`, which adds `--clean --if-exists`.
 * Rejects with `BackupFileError` for a missing or unreadable archive, `PgToolMissingError`
 * without pg_restore, `PgToolFailedError` (last stderr lines, redacted) when it fails.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const { file } = options;
  const info = await stat(file).catch((error: unknown) => {
    throw new BackupFileError(file, 'the file does not exist.', { cause: error });
  });
  if (!info.isFile()) throw new BackupFileError(file, 'it is not a file.');
  const total = await countTableData(file);

  const existing = await withPgClient(options.connectionString, async (client) => {
    const result = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables
        where table_schema = 'public' and table_name = any($1) order by table_name`,
      [GRIDBOT_TABLES],
    );
    return result.rows.map((r) => r.table_name);
  });
  if (existing.length > 0 && !options.force) throw new RestoreTargetNotEmptyError(existing);

  const connection = pgConnection(options.connectionString);
  let done = 0;
  await runPgTool(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--single-transaction',
      '--exit-on-error',
      '--verbose',
      ...(options.force ? ['--clean', '--if-exists'] : []),
      '-d',
      connection.target,
      file,
    ],
    {
      connection,
      env: options.env,
      onStderr(line) {
        const table = PROCESSING.exec(line)?.[1];
        if (table === undefined) return;
        done += 1;
        options.onProgress?.({ table, done, total: Math.max(total, done) });
      },
    },
  );
  return { tables: done };
}

/** Lists the archive (which also checks it is one) and counts its table-data entries. */
async function countTableData(file: string): Promise<number> {
  let count = 0;
  try {
    await runPgTool('pg_restore', ['--list', file], {
      onStdout(line) {
        if (TABLE_DATA.test(line)) count += 1;
      },
    });
  } catch (error) {
    if (error instanceof PgToolFailedError) {
      throw new BackupFileError(
        file,
        `it is not a pg_dump custom-format archive (${error.stderrTail.join(' ').trim() || 'pg_restore --list failed'}).`,
        { cause: error },
      );
    }
    throw error;
  }
  return count;
}
