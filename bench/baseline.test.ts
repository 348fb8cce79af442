import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the baseline benchmark runs at a tiny size and writes its result', async () => {
  const result = await runBenchmark('baseline', ['--jobs', '20']);
  expect(result.runs).toHaveLength(2);
  for (const r of result.runs) {
    expect(r.throughput_jobs_per_s).toBeGreaterThan(0);
    expect(r.latency_ms.p99).toBeGreaterThanOrEqual(0);
    expect(r.unloaded_latency_ms.p50).toBeGreaterThan(0);
  }
});
