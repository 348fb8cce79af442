import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the embedded-start benchmark starts gridbot on a clean and a warm DATA_DIR and reports both', async () => {
  const result = await runBenchmark('embedded-start', [
    '--runs',
    '1',
    '--settle-ms',
    '200',
    '--modes',
    'source',
  ]);
  const [row] = result.rows;
  expect(row.mode).toBe('source');
  expect(row.cold_ready_s).toBeGreaterThan(0);
  expect(row.warm_ready_s).toBeGreaterThan(0);
  expect(row.idle_rss_mb).toBeGreaterThan(10);
}, 120_000);
