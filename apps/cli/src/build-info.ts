import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildInfo } from '@gridbot/service';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Version from the root package.json and the git commit, when the checkout has one. */
export function readBuildInfo(env: Record<string, string | undefined>): BuildInfo {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version?: string };
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
  return { version: pkg.version ?? '0.0.0', gitSha };
}
