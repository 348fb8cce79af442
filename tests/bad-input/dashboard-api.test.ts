/**
 * Bad requests to a real dashboard's JSON API: each gets a 4xx with a message saying what
 * is wrong, changes nothing, and the dashboard stays up.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import type { GridbotProcess } from '../support/gridbot-process.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from '../support/pipeline-harness.ts';

let h: PipelineHarness;
let dashboard: GridbotProcess;
let base: string;
let threadId: number;

beforeAll(async () => {
  h = await PipelineHarness.create();
  threadId = (await registerThread(h.db.db, { jid: 'telegram:-540100', title: 'Ops' })).id;
  const port = await freePort();
  dashboard = await h.start(['dashboard'], { HEALTH_PORT: String(port) });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await h?.close();
});

const bearer = { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` };

function patch(body: string, headers: Record<string, string> = bearer): Promise<Response> {
  return fetch(`${base}/api/threads/${threadId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function title(): Promise<string | null> {
  const row = await h.db.db
    .selectFrom('threads')
    .select('title')
    .where('id', '=', threadId)
    .executeTakeFirstOrThrow();
  return row.title;
}

describe('bad requests to the dashboard API', () => {
  it('a body that is not JSON: 400 saying so', async () => {
    const res = await patch('{"title": ');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('the body must be JSON');
  });

  it('a field of the wrong type: 400 naming the field', async () => {
    const res = await patch(JSON.stringify({ requiresTrigger: 'yes please' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('requiresTrigger');
  });

  it('an invalid trigger pattern: 400 with the reason', async () => {
    const res = await patch(JSON.stringify({ triggerPattern: '(unclosed' }));
    expect(res.status).toBe(400);
  });

  it('an id that is not a number: 400 naming it', async () => {
    const res = await fetch(`${base}/api/threads/twelve/register`, {
      method: 'POST',
      headers: bearer,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('thread id');
  });

  it('a thread that does not exist: 404', async () => {
    const res = await fetch(`${base}/api/threads/999999/register`, {
      method: 'POST',
      headers: bearer,
    });
    expect(res.status).toBe(404);
  });

  it('a browser session without its CSRF token: 403, nothing changed', async () => {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: HARNESS_DASHBOARD_TOKEN }).toString(),
    });
    const cookies = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookies).toContain('XSRF-TOKEN=');
    const res = await patch(JSON.stringify({ title: 'hijacked' }), { cookie: cookies });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('CSRF token missing or wrong');
    expect(await title()).toBe('Ops');
  });

  it('no token at all: 401', async () => {
    const res = await patch(JSON.stringify({ title: 'anonymous' }), {});
    expect(res.status).toBe(401);
    expect(await title()).toBe('Ops');
  });

  it('an unknown status filter: 400 naming the choices', async () => {
    const res = await fetch(`${base}/api/dead-letters?status=maybe`, { headers: bearer });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('status must be open or all');
  });

  it('after all of them the dashboard is up', async () => {
    const res = await fetch(`${base}/api/fleet`, { headers: bearer });
    expect(res.status).toBe(200);
    expect(dashboard.child.exitCode).toBeNull();
  });
});
