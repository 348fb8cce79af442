import { approvePairing, listPairingRequests } from '@gridbot/db';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { pairingView } from '../read-models/pairing.ts';
import { DASHBOARD_ACTOR } from './audit.ts';
import { badRequest } from './params.ts';

/**
 * `/api/pairing`: the codes unknown users were given in direct chats, and approving one as
 * `gridbot pairing approve` does (the repository writes the audit row, actor `dashboard`).
 */
export function pairingApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db } = deps;
  const api = new Hono<DashboardEnv>();

  api.get('/pairing', async (c) => {
    const status = c.req.query('status') || 'pending';
    if (status !== 'pending' && status !== 'all') {
      throw badRequest(`status must be pending or all, not ${JSON.stringify(status)}`);
    }
    const requests = await listPairingRequests(db, { status });
    return c.json({ requests: requests.map(pairingView) });
  });

  api.post('/pairing/:code/approve', async (c) => {
    const raw = c.req.param('code');
    if (!/^[A-Za-z0-9]{4,16}$/.test(raw)) {
      throw badRequest(
        `a pairing code is letters and digits, e.g. K7QX2M, not ${JSON.stringify(raw)}`,
      );
    }
    const code = raw.toUpperCase();
    const result = await approvePairing(db, { code, by: DASHBOARD_ACTOR });
    switch (result.outcome) {
      case 'approved':
        return c.json({ request: pairingView(result.request) });
      case 'already':
        throw new HTTPException(409, {
          message: `pairing code ${code} was already approved ${result.request.approved_at?.toISOString() ?? ''} by ${result.request.approved_by ?? 'someone'}`,
        });
      case 'expired':
        throw new HTTPException(410, {
          message: `pairing code ${code} has expired: the user gets a new code with their next message`,
        });
      case 'missing':
        throw new HTTPException(404, { message: `no pairing code ${code}` });
    }
  });

  return api;
}
