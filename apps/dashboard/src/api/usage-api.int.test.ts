import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;

/** A JSON answer, typed as the test expects it. */
async function read<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

const DAY_MS = 24 * 3600_000;
const midnight = Math.floor(Date.now() / DAY_MS) * DAY_MS;
/** A UTC date label `offset` days before today. */
const label = (offset: number) => new Date(midnight - offset * DAY_MS).toISOString().slice(0, 10);

interface Chart {
  labels: string[];
  datasets: Array<{ label: string; data: number[] }>;
}

beforeAll(async () => {
  t = await openTestDashboard();
  const { db } = t.database;
  const ops = await t.seedThread('telegram:-101000', { title: 'Ops room' });
  const sales = await t.seedThread('telegram:-101001', { title: 'Sales' });
  const rows: Array<[number | null, string, number, number, Date]> = [
    // Yesterday, to its last millisecond (UTC).
    [ops, 'anthropic', 1000, 200, new Date(midnight - DAY_MS + 3600_000)],
    [sales, 'anthropic', 300, 100, new Date(midnight - 1)],
    [ops, 'openai', 50, 25, new Date(midnight - 12 * 3600_000)],
    // Today, from its first millisecond.
    [ops, 'anthropic', 2000, 500, new Date(midnight)],
    [sales, 'openai', 400, 100, new Date(midnight + 60_000)],
    // Memory summaries and the like, charged to no thread.
    [null, 'openai', 7, 3, new Date(midnight + 120_000)],
    // Outside a 14-day window.
    [ops, 'anthropic', 99_999, 1, new Date(midnight - 20 * DAY_MS)],
  ];
  await db
    .insertInto('token_ledger')
    .values(
      rows.map(([threadId, provider, input, output, at]) => ({
        scope: threadId === null ? 'global' : 'thread',
        thread_id: threadId,
        run_id: null,
        provider,
        model: `${provider}-model`,
        input_tokens: input,
        output_tokens: output,
        cost: null,
        created_at: at,
      })),
    )
    .execute();
});

afterAll(async () => {
  await t?.close();
});

describe('usage API', () => {
  it('sums input and output tokens per UTC day and provider, 0 on idle days', async () => {
    const response = await t.api('/api/usage/daily?days=14');
    expect(response.status).toBe(200);
    const chart = (await response.json()) as Chart;
    expect(chart.labels).toHaveLength(14);
    expect(chart.labels[0]).toBe(label(13));
    expect(chart.labels.slice(-2)).toEqual([label(1), label(0)]);
    const series = Object.fromEntries(chart.datasets.map((d) => [d.label, d.data]));
    expect(Object.keys(series)).toEqual(['anthropic', 'openai']);
    const zeros = Array(12).fill(0);
    expect(series.anthropic).toEqual([...zeros, 1600, 2500]);
    expect(series.openai).toEqual([...zeros, 75, 510]);
  });

  it('reaches further back when asked', async () => {
    const chart = (await (await t.api('/api/usage/daily?days=21')).json()) as Chart;
    expect(chart.labels[0]).toBe(label(20));
    expect(chart.datasets.find((d) => d.label === 'anthropic')!.data[0]).toBe(100_000);
  });

  it('ranks threads by tokens over the window', async () => {
    const response = await t.api('/api/usage/threads?days=14');
    expect(response.status).toBe(200);
    expect((await read<{ threads: unknown[] }>(response)).threads).toEqual([
      {
        threadId: expect.any(Number),
        jid: 'telegram:-101000',
        title: 'Ops room',
        input: 3050,
        output: 725,
        total: 3775,
      },
      {
        threadId: expect.any(Number),
        jid: 'telegram:-101001',
        title: 'Sales',
        input: 700,
        output: 200,
        total: 900,
      },
    ]);
  });

  it('answers 400 for a window it cannot chart', async () => {
    for (const days of ['0', '367', 'two', '1.5']) {
      const response = await t.api(`/api/usage/daily?days=${days}`);
      expect(response.status).toBe(400);
      expect((await read<{ error: string }>(response)).error).toMatch(
        /^days must be an integer from 1 to 366/,
      );
    }
    expect((await t.api('/api/usage/threads?limit=0')).status).toBe(400);
  });
});

describe('usage page', () => {
  it('has the stacked bar chart of the API and the per-thread table', async () => {
    const page = await (await t.api('/usage')).text();
    expect(page).toContain(
      '<canvas id="usage-chart" data-chart="/api/usage/daily?days=14" data-chart-type="bar" data-stacked>',
    );
    expect(page).toContain('<script src="/assets/chart.umd.js"></script>');
    const rows = [...page.matchAll(/<tr class="usage-thread"[^>]*>(.*?)<\/tr>/gs)].map((m) => m[1]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Ops room');
    expect(rows[0]).toContain('<td>3,775</td>');
  });
});
