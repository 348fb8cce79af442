import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;

beforeAll(async () => {
  t = await openTestDashboard();
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
  const instance = (id: string, role: string, status: 'up' | 'down', heartbeatAgo: number) => ({
    id,
    role,
    host: 'node-a',
    pid: 100,
    version: '1.2.3',
    git_sha: 'abcdef0123',
    started_at: ago(3600),
    heartbeat_at: ago(heartbeatAgo),
    status,
  });
  await t.database.db
    .insertInto('instances')
    .values([
      instance('worker-live', 'worker', 'up', 1),
      // Up by its row, but silent for more than three heartbeats (10 s each by default).
      instance('worker-silent', 'worker', 'up', 120),
      instance('gateway-gone', 'gateway-telegram', 'down', 600),
      // Older than a day: not shown at all.
      instance('scheduler-old', 'scheduler', 'down', 3 * 86_400),
    ])
    .execute();
});

afterAll(async () => {
  await t?.close();
});

describe('overview', () => {
  it('reports the fleet with live, stale and stopped instances of the last day', async () => {
    const body = (await (await t.api('/api/fleet')).json()) as {
      instances: Array<{ id: string; status: string; version: string }>;
    };
    expect(body.instances.map((i) => [i.id, i.status])).toEqual([
      ['worker-live', 'up'],
      ['worker-silent', 'stale'],
      ['gateway-gone', 'down'],
    ]);
  });

  it('shows running instances first and tucks stopped ones away', async () => {
    const html = await (await t.api('/')).text();
    const running = html.slice(
      html.indexOf('id="fleet"'),
      html.indexOf('</table>', html.indexOf('id="fleet"')),
    );
    expect(running.match(/<td>worker<\/td>/g)).toHaveLength(2);
    expect(running).toContain('stale');
    expect(running).not.toContain('gateway-telegram');
    expect(html).toContain('Stopped in the last day (1)');
    expect(html).toContain('1.2.3 (abcdef0)');
  });

  it('lists every GridBot queue with its depth and draws runs per minute', async () => {
    const queues = (await (await t.api('/api/queues')).json()) as {
      queues: Array<{ name: string }>;
    };
    expect(queues.queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['threads', 'tasks', 'system', 'outbound-web']),
    );
    const chart = (await (await t.api('/api/stats/runs?hours=1')).json()) as {
      labels: string[];
      datasets: Array<{ label: string; data: number[] }>;
    };
    expect(chart.datasets.map((d) => d.label)).toEqual(['runs', 'failures']);
    expect(chart.labels.length).toBeGreaterThanOrEqual(60);
    expect((await t.api('/api/stats/runs?hours=0')).status).toBe(400);
  });
});
