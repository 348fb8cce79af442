import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveDashboardToken, TOKEN_FILE } from './dashboard-token.ts';

describe('resolveDashboardToken', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gridbot-token-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prefers DASHBOARD_TOKEN and writes nothing', async () => {
    const result = await resolveDashboardToken({ fromEnv: 'from-the-environment!', dataDir: dir });
    expect(result).toEqual({ token: 'from-the-environment!', source: 'environment', path: null });
    await expect(stat(join(dir, TOKEN_FILE))).rejects.toThrow();
  });

  it('generates a token once, private to its owner, and keeps it across restarts', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = await resolveDashboardToken({ fromEnv: undefined, dataDir });
    expect(first.source).toBe('generated');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await stat(first.path!)).mode & 0o777).toBe(0o600);
    const second = await resolveDashboardToken({ fromEnv: undefined, dataDir });
    expect(second).toEqual({ token: first.token, source: 'file', path: first.path });
    expect((await readFile(first.path!, 'utf8')).trim()).toBe(first.token);
  });

  it('refuses a stored token too short to be safe, saying what to do', async () => {
    await writeFile(join(dir, TOKEN_FILE), 'short\n');
    await expect(resolveDashboardToken({ fromEnv: undefined, dataDir: dir })).rejects.toThrow(
      /shorter than 16 characters: delete the file/,
    );
  });
});
