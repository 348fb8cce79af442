import { InvalidJidError, parseJid, validateTriggerPattern } from '@gridbot/core';
import {
  type Database,
  findThreadById,
  listMemories,
  listTasks,
  registerThread,
  type Thread,
  unregisterThread,
} from '@gridbot/db';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { dashboardGlobals } from '../read-models/behaviour.ts';
import { taskView } from '../read-models/tasks.ts';
import {
  listThreadSummaries,
  threadDetail,
  threadMessages,
  threadRuns,
  threadView,
} from '../read-models/threads.ts';
import { auditAction } from './audit.ts';
import { idParam } from './id-param.ts';
import { badRequest, intQuery, jsonBody } from './params.ts';

const triggerPattern = z.string().max(500, 'at most 500 characters').nullable();

const title = z.string().trim().max(200, 'at most 200 characters').nullable();

const registerSchema = z.strictObject({
  /** The name shown for it; an empty one keeps the name it has (the platform's, if any). */
  title: title.optional(),
  requiresTrigger: z.boolean().optional(),
  /** Null or empty: the default trigger (`@<assistant>`). */
  triggerPattern: triggerPattern.optional(),
});

const newThreadSchema = registerSchema.extend({
  jid: z.string().trim().min(1, 'give the chat’s JID, e.g. telegram:-1001234567890'),
});

const patchSchema = z.strictObject({
  title: title.optional(),
  requiresTrigger: z.boolean().optional(),
  triggerPattern: triggerPattern.optional(),
  /** Back to the default trigger (what the page's checkbox sends; same as `triggerPattern: null`). */
  useDefaultTrigger: z.boolean().optional(),
});

/** A body that may be absent: an empty body is `{}`. */
function optionalJson(request: { text: () => Promise<string> }) {
  return {
    json: async (): Promise<unknown> => {
      const text = await request.text();
      return text.trim() === '' ? {} : JSON.parse(text);
    },
  };
}

/** A trigger pattern as stored: null for the default, else a valid regular expression. */
function checkedPattern(pattern: string | null | undefined): string | null | undefined {
  if (pattern === undefined || pattern === null) return pattern;
  if (pattern.trim() === '') return null;
  const problem = validateTriggerPattern(pattern);
  if (problem) throw badRequest(`triggerPattern is not a valid regular expression: ${problem}`);
  return pattern;
}

/** The thread of the `:id` path parameter, or a 404. */
export async function threadOr404(db: Kysely<Database>, raw: string | undefined): Promise<Thread> {
  const id = idParam(raw, 'thread id');
  const thread = await findThreadById(db, id);
  if (!thread) throw new HTTPException(404, { message: `no thread ${id}` });
  return thread;
}

function parseRegistered(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '' || raw === 'all') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw badRequest(`registered must be true, false or all, not ${JSON.stringify(raw)}`);
}

/**
 * `/api/threads…`: search and read threads, their messages, runs, tasks and memory;
 * register (by id, or a chat not seen yet by JID), unregister and change the name and
 * trigger, each recorded in the audit log.
 */
export function threadsApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db } = deps;
  const api = new Hono<DashboardEnv>();

  api.get('/threads', async (c) => {
    const threads = await listThreadSummaries(db, {
      q: c.req.query('q'),
      registered: parseRegistered(c.req.query('registered')),
      limit: intQuery(c.req.query('limit'), { fallback: 200, min: 1, max: 1_000, name: 'limit' }),
    });
    return c.json({ threads });
  });

  api.get('/threads/:id', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const globals = await dashboardGlobals(db, deps.userTriggersPerMinute);
    return c.json(await threadDetail(db, thread, globals));
  });

  api.get('/threads/:id/messages', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const before = c.req.query('before');
    const page = await threadMessages(db, thread.id, {
      before: before === undefined || before === '' ? undefined : idParam(before, 'before'),
      limit: intQuery(c.req.query('limit'), { fallback: 50, min: 1, max: 500, name: 'limit' }),
    });
    return c.json(page);
  });

  api.get('/threads/:id/runs', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const limit = intQuery(c.req.query('limit'), { fallback: 50, min: 1, max: 500, name: 'limit' });
    return c.json({ runs: await threadRuns(db, thread.id, limit) });
  });

  api.get('/threads/:id/tasks', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const tasks = await listTasks(db, thread.id);
    return c.json({ tasks: tasks.map((task) => taskView(task, thread)) });
  });

  api.get('/threads/:id/memories', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const memories = await listMemories(db, thread.id);
    return c.json({
      memories: memories.map((m) => ({
        id: m.id,
        content: m.content,
        updatedAt: m.updatedAt.toISOString(),
      })),
    });
  });

  /** Registers (adds, if no message came yet) a thread by JID, as `gridbot threads register`. */
  const register = async (jid: string, body: z.infer<typeof registerSchema>) => {
    const pattern = checkedPattern(body.triggerPattern);
    const registered = await registerThread(db, {
      jid,
      ...(body.title && { title: body.title }),
      ...(body.requiresTrigger !== undefined && { requiresTrigger: body.requiresTrigger }),
      ...(pattern !== undefined && { triggerPattern: pattern }),
    });
    await auditAction(db, 'thread.registered', `thread:${jid}`, {
      title: registered.title,
      requiresTrigger: registered.requires_trigger,
      triggerPattern: registered.trigger_pattern,
    });
    return threadView(registered);
  };

  api.post('/threads', async (c) => {
    const body = await jsonBody(c.req, newThreadSchema);
    try {
      parseJid(body.jid);
    } catch (error) {
      if (error instanceof InvalidJidError) throw badRequest(error.message);
      throw error;
    }
    const { jid, ...rest } = body;
    return c.json({ thread: await register(jid, rest) }, 201);
  });

  api.post('/threads/:id/register', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const body = await jsonBody(optionalJson(c.req), registerSchema);
    return c.json({ thread: await register(thread.jid, body) });
  });

  api.post('/threads/:id/unregister', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const updated = (await unregisterThread(db, thread.jid))
      ? await findThreadById(db, thread.id)
      : undefined;
    if (!updated) throw new HTTPException(404, { message: `no thread ${thread.id}` });
    await auditAction(db, 'thread.unregistered', `thread:${thread.jid}`);
    return c.json({ thread: threadView(updated) });
  });

  api.patch('/threads/:id', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const body = await jsonBody(c.req, patchSchema);
    if (body.useDefaultTrigger && typeof body.triggerPattern === 'string' && body.triggerPattern) {
      throw badRequest('give either triggerPattern or useDefaultTrigger, not both');
    }
    const pattern = body.useDefaultTrigger ? null : checkedPattern(body.triggerPattern);
    const changes = {
      ...(body.title !== undefined && { title: body.title === '' ? null : body.title }),
      ...(body.requiresTrigger !== undefined && { requires_trigger: body.requiresTrigger }),
      ...(pattern !== undefined && { trigger_pattern: pattern }),
    };
    if (Object.keys(changes).length === 0) {
      throw badRequest('nothing to change: give title, requiresTrigger or triggerPattern');
    }
    const updated = await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('threads')
        .set(changes)
        .where('id', '=', thread.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await auditAction(trx, 'thread.updated', `thread:${thread.jid}`, changes);
      return row;
    });
    return c.json({ thread: threadView(updated) });
  });

  return api;
}
