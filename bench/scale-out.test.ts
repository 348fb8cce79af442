import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the scale-out benchmark runs with 1 and 2 workers: every reply once, in order per thread', async () => {
  const result = await runBenchmark('scale-out', [
    '--workers',
    '1,2',
    '--threads',
    '2',
    '--messages',
    '2',
    '--burst',
    '2',
  ]);
  expect(result.steps).toHaveLength(2);
  for (const step of result.steps) {
    expect(step.throughput_msgs_per_s).toBeGreaterThan(0);
    expect(step.order_violations).toBe(0);
    expect(step.duplicate_replies).toBe(0);
    expect(step.missing_replies).toBe(0);
  }
}, 120_000);
