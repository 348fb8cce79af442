import { describe, expect, it } from 'vitest';
import { BENCH_MODES } from './harness.ts';
import { runBenchmark } from './smoke.ts';

describe.each(BENCH_MODES)('the pipeline benchmark in the %s mode', (mode) => {
  it('runs at a tiny size and writes its result', async () => {
    const result = await runBenchmark('pipeline', [
      '--mode',
      mode,
      '--threads',
      '2',
      '--messages',
      '6',
      '--sequential',
      '4',
      '--baseline-jobs',
      '20',
    ]);
    expect(result.setup.mode).toBe(mode);
    // The overhead is measured on both sides of the agent, and each side takes some time.
    expect(result.overhead_in_ms.p50).toBeGreaterThan(0);
    expect(result.overhead_out_ms.p50).toBeGreaterThan(0);
    expect(result.overhead_ms.p50).toBeLessThan(result.sequential_total_ms.max + 1);
    expect(result.load_latency_ms.p50).toBeGreaterThan(0);
    expect(result.throughput_msgs_per_s).toBeGreaterThan(0);
    expect(result.setup.load_messages).toBe(6);
    expect(result.load_replies).toBeGreaterThan(0);
    expect(result.throughput_ratio_to_baseline).toBeGreaterThan(0);
  }, 120_000);
});
