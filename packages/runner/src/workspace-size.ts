import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkspaceFullError } from './mount-errors.ts';

/** Entries whose `lstat` runs at once while walking one directory. */
const BATCH = 64;

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Disk space a directory tree takes: allocated blocks (so a sparse file counts what it
 * really holds), each inode once (hard links), symlinks not followed. Stops counting as soon
 * as the total passes `stopAbove`, so a huge tree costs no more than the cap's worth of walk.
 * A missing directory takes 0; entries that vanish during the walk are skipped.
 */
export async function diskUsage(
  dir: string,
  stopAbove = Number.POSITIVE_INFINITY,
): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const pending = [dir];
  while (pending.length > 0 && total <= stopAbove) {
    const current = pending.pop()!;
    let names: string[];
    try {
      names = await readdir(current);
    } catch (error) {
      if (isGone(error)) continue;
      throw error;
    }
    const paths = [current, ...names.map((name) => join(current, name))];
    for (let i = 0; i < paths.length && total <= stopAbove; i += BATCH) {
      const stats = await Promise.all(
        paths.slice(i, i + BATCH).map(async (path) => {
          try {
            return { path, stat: await lstat(path) };
          } catch (error) {
            if (isGone(error)) return null;
            throw error;
          }
        }),
      );
      for (const entry of stats) {
        if (entry === null) continue;
        const { path, stat } = entry;
        if (stat.isDirectory() && path !== current) pending.push(path);
        const inode = `${stat.dev}:${stat.ino}`;
        if (seen.has(inode)) continue;
        seen.add(inode);
        total += stat.blocks * 512;
      }
    }
  }
  return total;
}

/**
 * Refuses a workspace that takes more than `maxBytes` of disk (0: no cap), before an agent
 * starts in it. Reads the filesystem, writes nothing.
 * @throws WorkspaceFullError over the cap.
 */
export async function checkWorkspaceSize(dir: string, maxBytes: number): Promise<void> {
  if (maxBytes <= 0) return;
  const used = await diskUsage(dir, maxBytes);
  if (used > maxBytes) throw new WorkspaceFullError(maxBytes, used);
}
