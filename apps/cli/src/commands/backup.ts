import { join } from 'node:path';
import {
  backupDatabase,
  PgToolMissingError,
  pgDumpAvailable,
  type TableProgress,
} from '@gridbot/db';
import { baseEnvShape, parseEnv } from '@gridbot/service';
import { z } from 'zod';

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
    z.object({ DATABASE_URL: baseEnvShape.DATABASE_URL, DATA_DIR: baseEnvShape.DATA_DIR }),
    env,
  );
  if ((await pgDumpAvailable()) === null) throw new PgToolMissingError('pg_dump');
  const dir = args.dir ?? join(DATA_DIR, 'backups');
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

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
