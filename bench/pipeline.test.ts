import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the pipeline benchmark runs at a tiny size and writes its result', async () => {
  const result = await runBenchmark('pipeline', [
    '--threads',
    '2',
    '--messages',
    '4',
    '--sequential',
    '2',
    '--baseline-jobs',
    '20',
  ]);
  expect(result.sequential_latency_ms.p50).toBeGreaterThan(0);
  expect(result.load_latency_ms.p50).toBeGreaterThan(0);
  expect(result.throughput_msgs_per_s).toBeGreaterThan(0);
  expect(result.baseline_bullmq_jobs_per_s).toBeGreaterThan(0);
  expect(result.throughput_ratio_to_baseline).toBeGreaterThan(0);
}, 120_000);
