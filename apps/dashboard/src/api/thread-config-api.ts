import {
  allowsLevel,
  CONFIG_KEYS,
  isConfigKey,
  readSetting,
  unknownKeyMessage,
} from '@gridbot/core';
import { changeConfig, findThreadById } from '@gridbot/db';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { dashboardGlobals } from '../read-models/behaviour.ts';
import { threadDetail } from '../read-models/threads.ts';
import { DASHBOARD_ACTOR } from './audit.ts';
import { badRequest, jsonBody } from './params.ts';
import { threadOr404 } from './threads-api.ts';

/** `{ key: value }`: values as typed in the form (text) or as JSON values. */
const settingsSchema = z.record(z.string(), z.unknown());

/**
 * `/api/threads/:id/config…`: change a thread's own settings, checked against the same key
 * table as `/config` in chat (type, range, the operator's ceilings), each change written to
 * the audit log with the old and new value.
 */
export function threadConfigApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db } = deps;
  const api = new Hono<DashboardEnv>();

  /** Sets the keys given; nothing is changed when any of them is refused. */
  api.put('/threads/:id/config', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const body = await jsonBody(c.req, settingsSchema);
    const globals = await dashboardGlobals(db, deps.userTriggersPerMinute);
    const settings = Object.entries(body).map(([key, value]) =>
      readSetting(key, value, 'thread', globals.config),
    );
    const problems = settings.flatMap((s) => (s.ok ? [] : [s.error]));
    if (problems.length > 0) throw badRequest(problems.join(' '));
    if (settings.length === 0) throw badRequest('nothing to change: give { "<key>": <value> }');
    for (const setting of settings) {
      if (!setting.ok) continue;
      const stored = thread.config[setting.key];
      if (JSON.stringify(stored) === JSON.stringify(setting.value)) continue;
      await changeConfig(
        db,
        { table: 'threads', id: thread.id },
        { set: setting.key, value: setting.value },
        { actor: DASHBOARD_ACTOR, target: `thread:${thread.jid}` },
      );
    }
    return c.json(await detail(deps, thread.id));
  });

  /** Removes the thread's own value of one key: the level below applies again. */
  api.delete('/threads/:id/config/:key', async (c) => {
    const thread = await threadOr404(db, c.req.param('id'));
    const key = c.req.param('key');
    if (!isConfigKey(key) || !CONFIG_KEYS[key].settable || !allowsLevel(key, 'thread')) {
      throw badRequest(unknownKeyMessage(key, 'thread'));
    }
    if (Object.hasOwn(thread.config, key)) {
      await changeConfig(
        db,
        { table: 'threads', id: thread.id },
        { reset: [key] },
        { actor: DASHBOARD_ACTOR, target: `thread:${thread.jid}` },
      );
    }
    return c.json(await detail(deps, thread.id));
  });

  return api;
}

async function detail(deps: DashboardDeps, id: number) {
  const row = await findThreadById(deps.db, id);
  if (!row) throw new HTTPException(404, { message: `no thread ${id}` });
  return threadDetail(deps.db, row, await dashboardGlobals(deps.db, deps.userTriggersPerMinute));
}
