import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupFileName, parseBackupFileName } from './backup-file-name.ts';
import { pruneBackups } from './prune-backups.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridbot-prune-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = new Date('2026-03-10T12:00:00Z');

describe('pruneBackups', () => {
  it('deletes backups stamped more than keepDays ago and leaves every other file', async () => {
    const files = [
      'gridbot_20260301_115959.dump', // 9 days and a second: expired
      'gridbot_20260303_115959.dump', // 7 days and a second: expired
      'gridbot_20260303_120001.dump', // just under 7 days: kept
      'gridbot_20260310_030000.dump', // today: kept
      'gridbot_20200101_000000.dump.partial', // an unfinished dump: not ours to judge
      'gridbot_20200101_000000.sql', // another format
      'notes.txt',
      'gridbot_2020.dump', // no full stamp
      'gridbot_20201399_000000.dump', // impossible date
    ];
    for (const name of files) await writeFile(join(dir, name), 'x');
    await mkdir(join(dir, 'gridbot_20200101_000000.dump')); // a directory with a backup's name

    const deleted = await pruneBackups(dir, 7, now);

    expect(deleted).toEqual(['gridbot_20260301_115959.dump', 'gridbot_20260303_115959.dump']);
    expect((await readdir(dir)).sort()).toEqual(
      [...files.filter((f) => !deleted.includes(f)), 'gridbot_20200101_000000.dump'].sort(),
    );
    expect(await pruneBackups(dir, 7, now)).toEqual([]);
  });

  it('keeps nothing older than now with keepDays 0, and treats a missing directory as empty', async () => {
    await writeFile(join(dir, 'gridbot_20260310_115959.dump'), 'x');
    expect(await pruneBackups(dir, 0, now)).toEqual(['gridbot_20260310_115959.dump']);
    expect(await pruneBackups(join(dir, 'absent'), 7, now)).toEqual([]);
    await expect(pruneBackups(dir, -1, now)).rejects.toThrow(RangeError);
  });
});

describe('backup file names', () => {
  it('stamps in UTC and parses back', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(backupFileName(at)).toBe('gridbot_20260102_030405.dump');
    expect(parseBackupFileName('gridbot_20260102_030405.dump')).toEqual(
      new Date('2026-01-02T03:04:05Z'),
    );
    expect(parseBackupFileName('gridbot_20260230_000000.dump')).toBeNull();
  });
});
