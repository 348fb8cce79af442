import { expect, it } from 'vitest';
import { runBenchmark } from './smoke.ts';

it('the memory benchmark measures every role from the sources and from the bundle', async () => {
  const result = await runBenchmark('memory', [
    '--modes',
    'source,bundle',
    '--threads',
    '2',
    '--messages',
    '4',
    '--settle-ms',
    '200',
  ]);
  const roles = ['gateway', 'worker', 'scheduler', 'dashboard'];
  expect(result.rss.map((r: { mode: string; role: string }) => `${r.mode} ${r.role}`)).toEqual([
    ...roles.map((role) => `source ${role}`),
    ...roles.map((role) => `bundle ${role}`),
  ]);
  for (const r of result.rss) {
    expect(r.idle_mb).toBeGreaterThan(0);
    expect(r.after_burst_mb).toBeGreaterThan(0);
  }
}, 120_000);
