import { join, resolve } from 'node:path';
import {
  PgToolMissingError,
  pgRestoreAvailable,
  restoreDatabase,
  restoreEmbedded,
} from '@gridbot/db';
import { baseEnvShape, lockDataDir, parseEnv } from '@gridbot/service';
import { z } from 'zod';
import { UsageError } from '../usage-error.ts';
import { stderrProgress } from './backup.ts';

/** `gridbot restore <file> [--force]`: restores a backup into DATABASE_URL (empty unless --force). */
export async function restoreCommand(
  args: { file: string | undefined; force: boolean },
  env: Record<string, string | undefined>,
): Promise<void> {
  if (!args.file) {
    throw new UsageError(
      'gridbot restore needs a backup file, e.g. gridbot restore data/backups/gridbot_20260101_030000.dump',
    );
  }
  const { DATABASE_URL, DATA_DIR } = parseEnv(
    z.object({
      DATABASE_URL: baseEnvShape.DATABASE_URL.optional(),
      DATA_DIR: baseEnvShape.DATA_DIR,
    }),
    env,
  );
  if (!DATABASE_URL) {
    // The embedded database of DATA_DIR, from a .tar.gz backup; never while a start runs.
    if (!args.file.endsWith('.tar.gz'))
      throw new UsageError(
        `${args.file} is not a backup of the embedded database (gridbot_….tar.gz): set DATABASE_URL to restore a pg_dump backup into Postgres.`,
      );
    const dataDir = resolve(DATA_DIR);
    const unlock = await lockDataDir(dataDir);
    try {
      const { replaced } = await restoreEmbedded(args.file, join(dataDir, 'db'), {
        force: args.force,
      });
      console.log(
        `Restored the embedded database from ${args.file}${replaced ? ` (the one it replaced is kept in ${replaced})` : ''}.`,
      );
    } finally {
      await unlock();
    }
    return;
  }
  if ((await pgRestoreAvailable()) === null) throw new PgToolMissingError('pg_restore');
  const progress = stderrProgress();
  try {
    const result = await restoreDatabase({
      connectionString: DATABASE_URL,
      file: args.file,
      env,
      force: args.force,
      onProgress: progress.update,
    });
    progress.end();
    console.log(`Restored ${result.tables} tables from ${args.file}.`);
  } finally {
    progress.end();
  }
}
