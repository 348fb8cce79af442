import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { GridBotError } from '@gridbot/core';
import type { PgliteSession } from '../pglite/pglite-session.ts';
import { backupFileName } from './backup-file-name.ts';

/**
 * Backs the embedded database up: its data directory as a gzipped tar (what PGlite dumps,
 * and opens again), into `dir/gridbot_YYYYMMDD_HHMMSS.tar.gz`. `pg_dump` cannot read it.
 * Taken between statements, so no transaction is caught half-way.
 */
export async function backupEmbedded(
  session: PgliteSession,
  dir: string,
  at = new Date(),
): Promise<{ file: string; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const dump = await session.exclusive(() => session.db.dumpDataDir('gzip'));
  const file = join(dir, backupFileName(at, 'embedded'));
  const bytes = Buffer.from(await dump.arrayBuffer());
  await writeFile(`${file}.partial`, bytes);
  await rename(`${file}.partial`, file);
  return { file, bytes: bytes.length };
}

/**
 * Restores an embedded backup into `dataDir`. A directory already there is refused unless
 * `force`, and then kept beside it (`<dataDir>.replaced-<time>`), never deleted.
 */
export async function restoreEmbedded(
  file: string,
  dataDir: string,
  options: { force?: boolean } = {},
): Promise<{ replaced: string | null }> {
  const archive = await readFile(file);
  const existing = await stat(dataDir).catch(() => null);
  let replaced: string | null = null;
  if (existing) {
    if (!options.force) throw new EmbeddedTargetExistsError(dataDir);
    replaced = `${dataDir}.replaced-${Date.now()}`;
    await rename(dataDir, replaced);
  }
  try {
    const db = await PGlite.create({
      dataDir,
      loadDataDir: new Blob([archive], { type: 'application/x-gzip' }),
    });
    await db.query('select 1');
    await db.close();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    if (replaced) await rename(replaced, dataDir);
    throw error;
  }
  return { replaced };
}

export class EmbeddedTargetExistsError extends GridBotError {
  constructor(dataDir: string) {
    super(
      `The embedded database ${dataDir} already exists: restore with --force to replace it (the old one is kept beside it).`,
    );
  }
}
