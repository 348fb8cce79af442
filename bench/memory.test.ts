import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the memory benchmark runs at a tiny size and writes its result', async () => {
  const result = await runBenchmark('memory', [
    '--threads',
    '2',
    '--messages',
    '4',
    '--settle-ms',
    '200',
  ]);
  expect(result.rss.map((r: { role: string }) => r.role)).toEqual([
    'gateway',
    'worker',
    'scheduler',
  ]);
  for (const r of result.rss) {
    expect(r.idle_mb).toBeGreaterThan(0);
    expect(r.after_burst_mb).toBeGreaterThan(0);
  }
}, 120_000);
