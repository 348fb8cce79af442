import { listDeadLetters, retryDeadLetter } from '@gridbot/db';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { deadLetterView } from '../read-models/dead-letters.ts';
import { auditAction, DASHBOARD_ACTOR } from './audit.ts';
import { idParam } from './id-param.ts';
import { badRequest } from './params.ts';

const REFUSED = {
  missing: [404, 'no such dead letter'],
  closed: [409, 'this dead letter was already retried or dismissed'],
  'answered-since': [
    409,
    'later messages of this thread were answered since; ask again in the chat instead',
  ],
  busy: [409, 'a run holds the thread right now; try again in a moment'],
} as const;

/**
 * `/api/dead-letters`: messages skipped after every attempt of their run failed, and
 * retry, which puts them back in front of the thread and asks for a run.
 */
export function deadLettersApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db, queues, logger } = deps;
  const api = new Hono<DashboardEnv>();

  api.get('/dead-letters', async (c) => {
    const status = c.req.query('status') || 'open';
    if (status !== 'open' && status !== 'all') {
      throw badRequest(`status must be open or all, not ${JSON.stringify(status)}`);
    }
    return c.json({ deadLetters: (await listDeadLetters(db, status)).map(deadLetterView) });
  });

  api.post('/dead-letters/:id/retry', async (c) => {
    const id = idParam(c.req.param('id'), 'dead letter id');
    const result = await retryDeadLetter(db, id, DASHBOARD_ACTOR);
    if (result.outcome !== 'retried') {
      const [status, message] = REFUSED[result.outcome];
      throw new HTTPException(status, { message: `dead letter #${id}: ${message}` });
    }
    await auditAction(db, 'dead_letter.retried', `dead_letter:${id}`, {
      thread: result.threadId,
    });
    let drainRequested = true;
    try {
      await queues.enqueueDrain(result.threadId);
    } catch (error) {
      // The sweeper finds the thread's messages past its cursor and asks for the run.
      drainRequested = false;
      logger.warn({ err: error, deadLetter: id }, 'dead letter retried; Redis is unreachable');
    }
    return c.json({ retried: id, threadId: result.threadId, drainRequested });
  });

  return api;
}
