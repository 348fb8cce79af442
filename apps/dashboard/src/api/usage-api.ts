import { Hono } from 'hono';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { dailyUsage, usageByThread } from '../read-models/usage.ts';
import { intQuery } from './params.ts';

const daysOf = (raw: string | undefined) =>
  intQuery(raw, { fallback: 14, min: 1, max: 366, name: 'days' });

/** `/api/usage/daily` (chart data per provider) and `/api/usage/threads` (top threads). */
export function usageApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const api = new Hono<DashboardEnv>();
  api.get('/usage/daily', async (c) =>
    c.json(await dailyUsage(deps.db, daysOf(c.req.query('days')))),
  );
  api.get('/usage/threads', async (c) => {
    const limit = intQuery(c.req.query('limit'), { fallback: 20, min: 1, max: 500, name: 'limit' });
    return c.json({ threads: await usageByThread(deps.db, daysOf(c.req.query('days')), limit) });
  });
  return api;
}
