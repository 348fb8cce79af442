/** Helpers shared by the benchmarks (not a test file). */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GridbotCommand } from '../tests/support/gridbot-process.ts';

const BENCH_SOURCE = fileURLToPath(new URL('./gridbot-bench.ts', import.meta.url));
const BUNDLE_SCRIPT = fileURLToPath(new URL('../apps/cli/bundle.ts', import.meta.url));
/** The production bundle, `gridbot`. */
export const BUNDLE = fileURLToPath(new URL('../apps/cli/dist/gridbot.mjs', import.meta.url));
const BENCH_BUNDLE = fileURLToPath(new URL('../apps/cli/dist/gridbot-bench.mjs', import.meta.url));

/** Builds the production bundle, with the benchmarks' composition beside it. */
export function buildBundle(): void {
  execFileSync(process.execPath, [BUNDLE_SCRIPT, '--entry', `gridbot-bench=${BENCH_SOURCE}`], {
    stdio: 'inherit',
  });
}

/**
 * `command` with the benchmarks' composition of the CLI (agents answered in-process, see
 * gridbot-bench.ts): from the sources, or from the bundle when `command` runs the bundle.
 */
export function benchAgents(command: GridbotCommand = {}): GridbotCommand {
  return { ...command, cli: command.cli ? BENCH_BUNDLE : BENCH_SOURCE };
}

/** The nearest-rank percentile of `samples` (ms), rounded to 0.1. */
/**
 * The Node flags the production image runs every role with (Dockerfile NODE_OPTIONS): a
 * small young generation, and an old-generation ceiling whose lower growth factor keeps
 * V8 from growing the heap far past the live set under load (measured by the soak).
 */
export const PRODUCTION_NODE_ARGS = ['--max-semi-space-size=2', '--max-old-space-size=256'];

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[rank]!);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function latencySummary(samples: number[]) {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}

export async function writeResult(out: string, result: unknown): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out}`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file (11 and 12 after the name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Pids of every process whose command name is `name` (e.g. postgres, redis-server). */
export async function pidsNamed(name: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) pids.push(Number(entry));
  }
  return pids;
}

/** CPU seconds used by each named group of processes between `start()` and `stop()`. */
export function cpuMeter(groups: Record<string, () => Promise<number[]>>) {
  const sample = async () => {
    const out: Record<string, number> = {};
    for (const [name, pids] of Object.entries(groups)) {
      let total = 0;
      for (const pid of await pids()) total += await cpuSeconds(pid);
      out[name] = total;
    }
    return out;
  };
  let before: Record<string, number> = {};
  return {
    async start() {
      before = await sample();
    },
    async stop(): Promise<Record<string, number>> {
      const after = await sample();
      return Object.fromEntries(
        Object.entries(after).map(([name, total]) => [name, round(total - (before[name] ?? 0), 2)]),
      );
    },
  };
}
