import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDashboard, type TestDashboard } from './testing/test-dashboard.ts';

let t: TestDashboard;

beforeAll(async () => {
  t = await openTestDashboard();
});

afterAll(async () => {
  await t?.close();
});

/** A concrete path for a route pattern: `:param` filled with a plausible value. */
function concrete(path: string): string {
  return path
    .replace(/:chatId\b[^/]*/g, 'operator-1')
    .replace(/:[A-Za-z]+(\{[^}]*\})?\??/g, '1')
    .replace(/\*$/, 'x');
}

describe('dashboard auth', () => {
  it('answers 401 on every /api and /queues route without the token (the whole route table)', async () => {
    const routes = t.dashboard.app.routes.filter(
      (r) => r.method !== 'ALL' && /^\/(api|queues)(\/|$)/.test(r.path),
    );
    // The table really holds the API, Bull Board and the web chat.
    const paths = routes.map((r) => r.path);
    expect(paths).toContain('/api/fleet');
    expect(paths).toContain('/queues/api/queues');
    expect(paths).toContain('/api/chat/:chatId/messages');
    expect(routes.length).toBeGreaterThan(10);
    const open: string[] = [];
    for (const route of routes) {
      const path = concrete(route.path);
      const response = await t.anonymous(path, { method: route.method });
      if (response.status !== 401) open.push(`${route.method} ${path} → ${response.status}`);
      const wrong = await t.anonymous(path, {
        method: route.method,
        headers: { authorization: 'Bearer not-the-token-at-all' },
      });
      if (wrong.status !== 401)
        open.push(`${route.method} ${path} (wrong bearer) → ${wrong.status}`);
    }
    expect(open).toEqual([]);
  });

  it('sends browsers without a session to the login page, keeping where they were going', async () => {
    const response = await t.anonymous('/threads?q=ops');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login?next=%2Fthreads%3Fq%3Dops');
  });

  it('refuses a wrong token at login and sets no session', async () => {
    const response = await t.anonymous('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: 'wrong-token-wrong-token', next: '/' }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('That token is not right.');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('sets an HTTP-only, same-site session cookie for the right token', async () => {
    const response = await t.anonymous('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: 'test-dashboard-token-0123456789', next: '/tasks' }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/tasks');
    const [session, csrf] = response.headers.getSetCookie();
    expect(session).toMatch(/^gridbot_session=.+; .*HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(csrf).toMatch(/^XSRF-TOKEN=/);
    expect(csrf).not.toMatch(/HttpOnly/);
  });

  it('never redirects a login elsewhere than this dashboard', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const response = await t.anonymous('/login', {
        method: 'POST',
        body: new URLSearchParams({ token: 'test-dashboard-token-0123456789', next }),
      });
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('lets a session read, but refuses a change without the CSRF token', async () => {
    const { cookie, csrf } = await t.login();
    expect((await t.anonymous('/api/fleet', { headers: { cookie } })).status).toBe(200);
    const post = (headers: Record<string, string>) =>
      t.anonymous('/api/chat/operator-1/messages', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ text: 'hello' }),
      });
    const refused = await post({});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'CSRF token missing or wrong: reload the page and try again',
    });
    expect((await post({ 'x-xsrf-token': 'forged' })).status).toBe(403);
    expect((await post({ 'x-xsrf-token': csrf })).status).toBe(202);
  });

  it('refuses a logout form without its CSRF field', async () => {
    const { cookie, csrf } = await t.login();
    const form = (body: Record<string, string>) =>
      t.anonymous('/logout', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    expect((await form({})).status).toBe(403);
    const done = await form({ _csrf: csrf });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/login');
  });

  it('ends the session at logout: the same cookie opens nothing afterwards', async () => {
    const { cookie, csrf } = await t.login();
    expect((await t.anonymous('/api/fleet', { headers: { cookie } })).status).toBe(200);
    const out = await t.anonymous('/logout', {
      method: 'POST',
      headers: { cookie, 'x-xsrf-token': csrf },
    });
    expect(out.status).toBe(303);
    // A browser that kept the cookie (or a thief who copied it) gets nothing.
    expect((await t.anonymous('/api/fleet', { headers: { cookie } })).status).toBe(401);
    expect((await t.anonymous('/threads', { headers: { cookie } })).status).toBe(302);
  });

  it('does not ask API clients with the Bearer token for a CSRF token', async () => {
    const response = await t.api('/api/chat/operator-2/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'from a script' }),
    });
    expect(response.status).toBe(202);
  });
});
