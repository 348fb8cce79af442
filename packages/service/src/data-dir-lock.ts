import { readFileSync, rmSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@gridbot/core';
import { processExists } from './instance-registry.ts';

/**
 * Claims `DATA_DIR` for this process (`gridbot start`): a second start on the same
 * directory would corrupt the embedded database, so it is refused, naming the holder. A
 * lock left by a process that is gone is taken over. Returns the release function.
 */
export async function lockDataDir(
  dataDir: string,
  /** What to do while another process holds it (a start by default: stop it, or move). */
  whenHeld = 'Stop it first, or give this one its own DATA_DIR.',
): Promise<() => Promise<void>> {
  const path = join(dataDir, 'gridbot.lock');
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError(
      `DATA_DIR: cannot create ${dataDir} (${(error as Error).message}). Make it writable or point DATA_DIR elsewhere.`,
      ['DATA_DIR'],
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      // However the process ends (a stop, a failed start, process.exit), the lock goes with it.
      const releaseOnExit = () => {
        try {
          if (Number(readFileSync(path, 'utf8')) === process.pid) rmSync(path, { force: true });
        } catch {
          // Already gone.
        }
      };
      process.once('exit', releaseOnExit);
      return async () => {
        process.off('exit', releaseOnExit);
        releaseOnExit();
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new ConfigError(
          `DATA_DIR: cannot write ${path} (${(error as Error).message}). Make DATA_DIR writable or point it elsewhere.`,
          ['DATA_DIR'],
        );
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (holder > 0 && holder !== process.pid && processExists(holder))
        throw new ConfigError(
          `DATA_DIR ${dataDir} is in use by another gridbot start (pid ${holder}). ${whenHeld}`,
          ['DATA_DIR'],
        );
      // The holder is gone: its lock is stale.
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`DATA_DIR: could not lock ${path}; try again.`, ['DATA_DIR']);
}
