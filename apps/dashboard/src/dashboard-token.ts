import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@gridbot/core';

/** Where a generated token is kept, inside DATA_DIR. */
export const TOKEN_FILE = 'dashboard-token';

export interface DashboardToken {
  token: string;
  /** `environment`: DASHBOARD_TOKEN; `file`: generated earlier; `generated`: just now. */
  source: 'environment' | 'file' | 'generated';
  /** The file holding a generated token, or null. */
  path: string | null;
}

/**
 * The dashboard's token: DASHBOARD_TOKEN if set; otherwise the one generated at the first
 * start and kept (mode 0600) in DATA_DIR, so every restart and every dashboard sharing the
 * directory accepts the same token.
 */
export async function resolveDashboardToken(options: {
  fromEnv: string | undefined;
  dataDir: string;
}): Promise<DashboardToken> {
  if (options.fromEnv) return { token: options.fromEnv, source: 'environment', path: null };
  const path = join(options.dataDir, TOKEN_FILE);
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (stored.length < 16) {
      throw new ConfigError(
        `${path} holds a dashboard token shorter than 16 characters: delete the file to generate a new one, or set DASHBOARD_TOKEN.`,
        ['DASHBOARD_TOKEN'],
      );
    }
    return { token: stored, source: 'file', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  try {
    // `wx`: if another dashboard wrote the file first, use that one.
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { token: (await readFile(path, 'utf8')).trim(), source: 'file', path };
  }
  return { token, source: 'generated', path };
}
