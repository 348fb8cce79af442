/**
 * A stolen or left-behind dashboard cookie, against two real dashboard processes sharing
 * one install: once its owner logs out on one instance, the other refuses it at once; once
 * a dashboard starts with a new token, the instances still on the old token refuse it too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from '../support/pipeline-harness.ts';

let h: PipelineHarness;
let first: string;
let second: string;

/** Starts a dashboard process; returns its base URL (its health port is its dashboard port). */
async function dashboard(extra: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  await h.start(['dashboard'], { ...extra, HEALTH_PORT: String(port) });
  return `http://127.0.0.1:${port}`;
}

/** Logs in like a browser; returns the cookies to send back and the CSRF token. */
async function login(base: string, token = HARNESS_DASHBOARD_TOKEN) {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  expect(response.status).toBe(303);
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('XSRF-TOKEN='))!.slice('XSRF-TOKEN='.length);
  return { cookie: cookies.join('; '), csrf };
}

/** What a request with only this cookie gets from the API. */
async function statusWith(base: string, cookie: string): Promise<number> {
  return (await fetch(`${base}/api/fleet`, { headers: { cookie }, redirect: 'manual' })).status;
}

beforeAll(async () => {
  h = await PipelineHarness.create();
  first = await dashboard();
  second = await dashboard();
});

afterAll(async () => {
  await h?.close();
});

describe('dashboard sessions across instances', () => {
  it('refuses the old cookie on a second instance right after logout on the first', async () => {
    const { cookie, csrf } = await login(first);
    expect(await statusWith(second, cookie)).toBe(200);
    const out = await fetch(`${first}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'x-xsrf-token': csrf },
    });
    expect(out.status).toBe(303);
    expect(await statusWith(second, cookie)).toBe(401);
    expect(await statusWith(first, cookie)).toBe(401);
    // Pages too: back to the login form, not the admin page.
    const page = await fetch(`${second}/threads`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login/);
  });

  it('refuses sessions of the old token everywhere once a dashboard starts with a new one', async () => {
    const { cookie } = await login(first);
    expect(await statusWith(second, cookie)).toBe(200);
    const renewed = 'the-new-dashboard-token-9876543210';
    const third = await dashboard({ DASHBOARD_TOKEN: renewed });
    // `second` still runs with the old token, and still refuses the old session.
    expect(await statusWith(second, cookie)).toBe(401);
    expect(await statusWith(third, cookie)).toBe(401);
    expect(await statusWith(third, (await login(third, renewed)).cookie)).toBe(200);
  });
});
