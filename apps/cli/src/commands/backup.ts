import { join, resolve } from 'node:path';
import {
  backupDatabase,
  backupEmbedded,
  openEmbeddedDatabase,
  PgToolMissingError,
  pgDumpAvailable,
  type TableProgress,
} from '@gridbot/db';
import { baseEnvShape, lockDataDir, parseEnv } from '@gridbot/service';
import { z } from 'zod';
import { UsageError } from '../usage-error.ts';

/** `[#####-----] 12/20 tables` */
export function renderProgressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} tables`;
}

/** A progress bar on stderr: redrawn in place on a terminal, one line per step otherwise. */
export function stderrProgress(): { update(p: TableProgress): void; end(): void } {
  const stream = process.stderr;
  let drawn = false;
  return {
    update(p) {
      const line = renderProgressBar(p.done, p.total);
      if (stream.isTTY) {
        stream.write(`\r${line}`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/** `gridbot backup [--dir D]`: dumps the database; the file's path goes to stdout. */
export async function backupCommand(
  args: { dir?: string },
  env: Record<string, string | undefined>,
): Promise<void> {
  const { DATABASE_URL, DATA_DIR } = parseEnv(
    z.object({
      DATABASE_URL: baseEnvShape.DATABASE_URL.optional(),
      DATA_DIR: baseEnvShape.DATA_DIR,
    }),
    env,
  );
  const dir = args.dir ?? join(DATA_DIR, 'backups');
  if (!DATABASE_URL) return backupEmbeddedCommand(resolve(DATA_DIR), dir);
  if ((await pgDumpAvailable()) === null) throw new PgToolMissingError('pg_dump');
  const progress = stderrProgress();
  try {
    const result = await backupDatabase({
      connectionString: DATABASE_URL,
      dir,
      env,
      onProgress: progress.update,
    });
    progress.end();
    console.error(`Backed up ${result.tables} tables (${formatBytes(result.bytes)}).`);
    console.log(result.file);
  } finally {
    progress.end();
  }
}

/**
 * Without DATABASE_URL: the embedded database of DATA_DIR, which only one process may open
 * (a running start backs it up daily itself).
 */
async function backupEmbeddedCommand(dataDir: string, dir: string): Promise<void> {
  const unlock = await lockDataDir(
    dataDir,
    'Its scheduler backs the embedded database up every day at 03:30 UTC; to back up now, stop it first.',
  ).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  try {
    const database = await openEmbeddedDatabase(join(dataDir, 'db'));
    try {
      const result = await backupEmbedded(database.session, dir);
      console.error(`Backed up the embedded database (${formatBytes(result.bytes)}).`);
      console.log(result.file);
    } finally {
      await database.close();
    }
  } finally {
    await unlock();
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
