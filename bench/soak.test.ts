import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the soak benchmark runs at a tiny size and reports memory at each point', async () => {
  const result = await runBenchmark('soak', [
    '--messages',
    '60',
    '--threads',
    '4',
    '--checkpoint',
    '20',
    '--settle-ms',
    '200',
  ]);
  expect(result.setup.messages).toBe(60);
  for (const point of ['after_checkpoint', 'at_end', 'after_settle'])
    for (const role of ['gateway', 'worker'])
      expect(result.rss_mb[point][role]).toBeGreaterThan(10);
  expect(typeof result.leak_suspected).toBe('boolean');
}, 120_000);
