import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildInfo } from '@gridbot/service';

/**
 * Where the release's package.json is: the nearest folder above this code whose
 * package.json is named `gridbot` (the checkout's root, or the bundle's own folder).
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === 'gridbot') {
      return `${dir}/`;
    }
    if (dirname(dir) === dir) return `${from}/`;
  }
}

const ROOT = findRoot(import.meta.dirname);

/** The release's version, from the root package.json. */
export function readVersion(): string {
  const file = `${ROOT}package.json`;
  const pkg = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/** Version from the root package.json and the git commit, when the checkout has one. */
export function readBuildInfo(env: Record<string, string | undefined>): BuildInfo {
  let gitSha = env.GIT_SHA ?? null;
  if (!gitSha) {
    try {
      gitSha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
    } catch {
      gitSha = null;
    }
  }
  return { version: readVersion(), gitSha };
}
