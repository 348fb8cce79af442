import { Hono } from 'hono';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { listFleet, queueDepths, runsPerMinute } from '../read-models/overview.ts';
import { intQuery } from './params.ts';

/** `/api/fleet`, `/api/queues`, `/api/stats/runs`. */
export function overviewApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const api = new Hono<DashboardEnv>();
  api.get('/fleet', async (c) => c.json({ instances: await listFleet(deps.db, deps.heartbeatMs) }));
  api.get('/queues', async (c) => c.json({ queues: await queueDepths(deps.board, deps.queues) }));
  api.get('/stats/runs', async (c) => {
    const hours = intQuery(c.req.query('hours'), { fallback: 6, min: 1, max: 72, name: 'hours' });
    return c.json(await runsPerMinute(deps.db, hours));
  });
  return api;
}
