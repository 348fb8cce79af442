import { type ApprovalDecision, decideApproval, findThreadById } from '@gridbot/db';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { approvalView, listApprovals } from '../read-models/approvals.ts';
import { auditAction, DASHBOARD_ACTOR } from './audit.ts';
import { idParam } from './id-param.ts';
import { badRequest } from './params.ts';

const DECISIONS = { approve: 'approved', reject: 'rejected' } as const satisfies Record<
  string,
  ApprovalDecision
>;

/**
 * `/api/approvals`: what runs are waiting for, and approve or reject as `/approve 12` in
 * the chat does: decide, write the audit row, then ask for a run of the thread so the agent
 * gets the outcome.
 */
export function approvalsApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db, queues, logger } = deps;
  const api = new Hono<DashboardEnv>();

  api.get('/approvals', async (c) => {
    const status = c.req.query('status') || 'pending';
    if (status !== 'pending' && status !== 'all') {
      throw badRequest(`status must be pending or all, not ${JSON.stringify(status)}`);
    }
    return c.json({ approvals: await listApprovals(db, status) });
  });

  for (const [verb, decision] of Object.entries(DECISIONS)) {
    api.post(`/approvals/:id/${verb}`, async (c) => {
      const id = idParam(c.req.param('id'), 'approval id');
      const row = await db
        .selectFrom('approvals')
        .select(['thread_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new HTTPException(404, { message: `no approval #${id}` });
      const outcome = await decideApproval(db, {
        threadId: row.thread_id,
        approvalId: id,
        decision,
        by: DASHBOARD_ACTOR,
      });
      if (outcome === 'missing') throw new HTTPException(404, { message: `no approval #${id}` });
      if (outcome === 'closed') {
        throw new HTTPException(409, { message: `approval #${id} is no longer pending` });
      }
      const thread = await findThreadById(db, outcome.thread_id);
      const jid = thread?.jid ?? null;
      await auditAction(db, `approval.${decision}`, `approval:${id}`, {
        thread: jid,
        proposal: outcome.proposal,
      });
      let drainRequested = true;
      try {
        await queues.enqueueDrain(outcome.thread_id);
      } catch (error) {
        drainRequested = false;
        logger.error(
          { err: error, threadId: outcome.thread_id, approvalId: id },
          'approval decided but no run could be requested: Redis is unreachable',
        );
      }
      return c.json({
        approval: approvalView(outcome, { jid: jid ?? '', title: thread?.title ?? null }),
        drainRequested,
      });
    });
  }

  return api;
}
