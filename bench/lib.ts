/** Helpers shared by the benchmarks (not a test file). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

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
