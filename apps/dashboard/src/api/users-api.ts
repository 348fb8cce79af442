import { findUserById, listUsers } from '@gridbot/db';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { dashboardGlobals, userDefaults, userView } from '../read-models/behaviour.ts';
import { idParam } from './id-param.ts';
import { intQuery } from './params.ts';

/** `/api/users…`: the people the assistant has seen, with their own default settings. */
export function usersApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db } = deps;
  const api = new Hono<DashboardEnv>();

  api.get('/users', async (c) => {
    const users = await listUsers(db, {
      q: c.req.query('q'),
      limit: intQuery(c.req.query('limit'), { fallback: 200, min: 1, max: 1_000, name: 'limit' }),
    });
    return c.json({ users: users.map(userView) });
  });

  api.get('/users/:id', async (c) => {
    const id = idParam(c.req.param('id'), 'user id');
    const user = await findUserById(db, id);
    if (!user) throw new HTTPException(404, { message: `no user ${id}` });
    const globals = await dashboardGlobals(db, deps.userTriggersPerMinute);
    return c.json({ user: userView(user), defaults: userDefaults(user, globals) });
  });

  return api;
}
