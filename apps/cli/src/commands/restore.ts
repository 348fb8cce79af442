import { PgToolMissingError, pgRestoreAvailable, restoreDatabase } from '@gridbot/db';
import { baseEnvShape, parseEnv } from '@gridbot/service';
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
  const { DATABASE_URL } = parseEnv(z.object({ DATABASE_URL: baseEnvShape.DATABASE_URL }), env);
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
