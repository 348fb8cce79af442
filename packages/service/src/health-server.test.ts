import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer, type HealthServerOptions } from './health-server.ts';

let server: HealthServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function serve(options: Partial<HealthServerOptions>): Promise<string> {
  server = new HealthServer({
    port: 0,
    host: '127.0.0.1',
    registry: new Registry(),
    checks: {},
    ...options,
  });
  return `http://127.0.0.1:${await server.start()}`;
}

describe('HealthServer', () => {
  it('names the dependency that is down in /readyz, never its error text', async () => {
    const failures: Array<[string, unknown]> = [];
    const base = await serve({
      checks: {
        postgres: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.7:5432 (user gridbot, password hunter2)');
        },
        redis: async () => {},
        started: async () => {
          throw new Error('still starting');
        },
      },
      onCheckFailed: (name, error) => failures.push([name, error]),
    });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: 'not ready',
      checks: { postgres: 'unavailable', redis: 'ok', started: 'starting' },
    });
    expect(text).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|hunter2/);
    // The details go to the role's log instead.
    expect(failures.map(([name]) => name).sort()).toEqual(['postgres', 'started']);
  });

  it('asks for a token on /metrics when told to, and keeps /healthz open', async () => {
    const base = await serve({
      metricsAuth: (req) => req.headers.authorization === 'Bearer right-token-0123456789',
    });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = { authorization: 'Bearer wrong' };
    expect((await fetch(`${base}/metrics`, { headers: wrong })).status).toBe(401);
    const right = { authorization: 'Bearer right-token-0123456789' };
    expect((await fetch(`${base}/metrics`, { headers: right })).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
