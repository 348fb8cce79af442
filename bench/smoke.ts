/** Runs a benchmark script at a tiny size into a temporary directory and returns its JSON. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../tests/support/gridbot-process.ts';

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: the benchmark's JSON, which each smoke test checks
type Json = Record<string, any>;

export async function runBenchmark(name: string, args: string[]): Promise<Json> {
  const dir = await mkdtemp(join(tmpdir(), 'gridbot-bench-smoke-'));
  try {
    const out = join(dir, `${name}.json`);
    await run(process.execPath, [`bench/${name}.ts`, ...args, '--out', out], {
      cwd: REPO_ROOT,
      timeout: 100_000,
    });
    return JSON.parse(await readFile(out, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
