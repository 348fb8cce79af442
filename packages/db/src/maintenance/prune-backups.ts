import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBackupFileName } from './backup-file-name.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the backups in `dir` taken more than `keepDays` days before `now`, judged by
 * the UTC stamp in their name (`gridbot_YYYYMMDD_HHMMSS.dump`), not by mtime, which
 * copying resets. Any other file is left alone. Returns the names deleted, oldest first;
 * a missing directory has nothing to prune.
 */
export async function pruneBackups(
  dir: string,
  keepDays: number,
  now: Date = new Date(),
): Promise<string[]> {
  if (!Number.isFinite(keepDays) || keepDays < 0) {
    throw new RangeError(`keepDays must be a number >= 0, got ${keepDays}`);
  }
  const cutoff = now.getTime() - keepDays * DAY_MS;
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const expired = names
    .map((name) => ({ name, at: parseBackupFileName(name) }))
    .filter((b): b is { name: string; at: Date } => b.at !== null && b.at.getTime() < cutoff)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const { name } of expired) await rm(join(dir, name));
  return expired.map((b) => b.name);
}
