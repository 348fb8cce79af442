/**
 * Backup files are `gridbot_YYYYMMDD_HHMMSS.dump` (pg_dump's custom format) or, of the
 * embedded database, `gridbot_YYYYMMDD_HHMMSS.tar.gz` (its data directory), stamped in UTC.
 */
const BACKUP_NAME = /^gridbot_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.(dump|tar\.gz)$/;

/** What a backup holds: a Postgres server's dump, or the embedded database's files. */
export type BackupKind = 'dump' | 'embedded';

const EXTENSION: Record<BackupKind, string> = { dump: 'dump', embedded: 'tar.gz' };

/** The file name of a backup taken at `at` (UTC). */
export function backupFileName(at: Date, kind: BackupKind = 'dump'): string {
  const iso = at.toISOString(); // 2026-01-31T23:59:58.123Z
  const day = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `gridbot_${day}_${time}.${EXTENSION[kind]}`;
}

/** When the backup named `name` was taken, or null when the name is not a backup's. */
export function parseBackupFileName(name: string): Date | null {
  const m = BACKUP_NAME.exec(name);
  if (!m) return null;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1, 7).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const kind: BackupKind = m[7] === 'dump' ? 'dump' : 'embedded';
  // Reject impossible stamps (20261399_…) rather than let Date roll them over.
  return backupFileName(at, kind) === name ? at : null;
}
