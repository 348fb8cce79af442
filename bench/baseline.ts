/**
 * Raw BullMQ: add → complete of N jobs with a no-op processor on the same Redis GridBot
 * uses (or, for the other modes, on the same Postgres or embedded database, through the
 * same transport GridBot uses), at worker concurrency 1 and 8. The floor GridBot's own
 * pipeline is compared against.
 *
 *   node bench/baseline.ts [--jobs 2000] [--redis redis://127.0.0.1:6379] [--out bench/results/baseline.json]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type QueueTransport, RedisTransport } from '../packages/queue/src/index.ts';
import { latencySummary, round, writeResult } from './lib.ts';

export interface BaselineRun {
  concurrency: number;
  jobs: number;
  throughput_jobs_per_s: number;
  /** Under the burst: includes queueing behind the other jobs. */
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  /** One job at a time (add, wait for completed, next): the unloaded round trip. */
  unloaded_latency_ms: { p50: number; p95: number; p99: number; max: number };
}

/** Adds `jobs` jobs in bulk and waits until a no-op worker completed them all (on Redis). */
export async function measureBaseline(
  redisUrl: string,
  jobs: number,
  concurrency: number,
): Promise<BaselineRun> {
  const prefix = `{bench-${randomBytes(5).toString('hex')}}`;
  const transport = new RedisTransport({ url: redisUrl, prefix, connectionName: 'baseline' });
  try {
    return await measureBaselineOn(transport, jobs, concurrency);
  } finally {
    await transport.close();
  }
}

/** The same on any transport: BullMQ on Redis, on Postgres, or on the embedded database. */
export async function measureBaselineOn(
  transport: QueueTransport,
  jobs: number,
  concurrency: number,
): Promise<BaselineRun> {
  const name = `baseline-${randomBytes(4).toString('hex')}`;
  const queue = transport.createQueue(name);
  const latencies: number[] = [];
  let done = 0;
  let resolveAll: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const worker = transport.createWorker(name, async () => null, {
    concurrency,
    autorun: false,
  });
  worker.on('completed', (job) => {
    latencies.push(Date.now() - job.timestamp);
    if (++done === jobs) resolveAll();
  });
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  try {
    void worker.run();
    const started = performance.now();
    // Added one by one (as the gateway does), not in bulk.
    const adds: Promise<unknown>[] = [];
    for (let i = 0; i < jobs; i++) {
      adds.push(queue.add('noop', { i }, { removeOnComplete: true }));
    }
    await Promise.all(adds);
    await allDone;
    const seconds = (performance.now() - started) / 1000;
    const unloaded: number[] = [];
    const samples = Math.min(jobs, 200);
    for (let i = 0; i < samples; i++) {
      const target = jobs + i + 1;
      const finished = new Promise<void>((resolve) => {
        const check = () => {
          if (done >= target) {
            worker.off('completed', check);
            resolve();
          }
        };
        worker.on('completed', check);
      });
      const t0 = performance.now();
      await queue.add('noop', { i }, { removeOnComplete: true });
      await finished;
      unloaded.push(performance.now() - t0);
    }
    return {
      concurrency,
      jobs,
      throughput_jobs_per_s: round(jobs / seconds),
      latency_ms: latencySummary(latencies.slice(0, jobs)),
      unloaded_latency_ms: latencySummary(unloaded),
    };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

export async function runBaseline(redisUrl: string, jobs: number): Promise<BaselineRun[]> {
  const runs: BaselineRun[] = [];
  for (const concurrency of [1, 8]) runs.push(await measureBaseline(redisUrl, jobs, concurrency));
  return runs;
}

export function printBaseline(runs: BaselineRun[]): void {
  console.table(
    runs.map((r) => ({
      concurrency: r.concurrency,
      jobs: r.jobs,
      'jobs/s': r.throughput_jobs_per_s,
      'p50 ms': r.latency_ms.p50,
      'p95 ms': r.latency_ms.p95,
      'p99 ms': r.latency_ms.p99,
      'unloaded p50 ms': r.unloaded_latency_ms.p50,
      'unloaded p99 ms': r.unloaded_latency_ms.p99,
    })),
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '2000' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      out: { type: 'string', default: 'bench/results/baseline.json' },
    },
  });
  const runs = await runBaseline(values.redis, Number(values.jobs));
  printBaseline(runs);
  await writeResult(values.out, {
    benchmark: 'baseline',
    date: new Date().toISOString(),
    redis: values.redis,
    note: 'raw BullMQ add → complete, no-op processor; latency is job.timestamp → completed event',
    runs,
  });
}
