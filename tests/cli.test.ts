/**
 * The command line as an operator meets it: one-line errors that name the variable to fix,
 * the details behind --verbose, and admin commands whose word holds (a web chat's name, an
 * unregistered web chat).
 */
import { createServer, type Server } from 'node:net';
import { insertOutbox, registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { runGridbot } from './support/gridbot-process.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';

let h: PipelineHarness;
let base: string;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  h = await PipelineHarness.create();
  const port = String(await freePort());
  await h.start(['dashboard'], { HEALTH_PORT: port });
  base = `http://127.0.0.1:${port}/api`;
  busyPort = await freePort();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(busyPort, '0.0.0.0', resolve));
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()));
  await h?.close();
});

const auth = { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` };
const say = (chat: string, text: string) =>
  fetch(`${base}/chat/${chat}/messages`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
const thread = (jid: string) =>
  h.db.db
    .selectFrom('threads')
    .select(['title', 'registered'])
    .where('jid', '=', jid)
    .executeTakeFirstOrThrow();
const lines = (output: string) => output.trim().split('\n');

describe('gridbot on the command line', () => {
  it('says in one line that DATABASE_URL cannot be reached, and shows the details with --verbose', async () => {
    const env = { DATABASE_URL: 'postgres://gridbot:s3cret@127.0.0.1:1/gridbot' };
    const plain = await runGridbot(['threads', 'list'], env);
    expect(plain.code).toBe(1);
    expect(lines(plain.output)).toEqual([
      'gridbot: DATABASE_URL: cannot reach Postgres at postgres://gridbot:***@127.0.0.1:1/gridbot (connect ECONNREFUSED 127.0.0.1:1). Start Postgres or fix DATABASE_URL.',
    ]);
    const verbose = await runGridbot(['threads', 'list', '--verbose'], env);
    expect(verbose.code).toBe(1);
    expect(lines(verbose.output).length).toBeGreaterThan(3);
    expect(verbose.output).toContain('ServiceUnavailableError');
    expect(verbose.output).not.toContain('s3cret');
  });

  it('names the variable to change when a role’s port is taken', async () => {
    const worker = await runGridbot(['worker'], h.env({ HEALTH_PORT: String(busyPort) }));
    expect(worker.code).toBe(1);
    expect(worker.output).toContain(
      `gridbot: HEALTH_PORT: port ${busyPort} on 0.0.0.0 is in use (another gridbot role or program listens there). Set HEALTH_PORT to a free port.`,
    );
    expect(worker.output).not.toContain('    at ');
    const dashboard = await runGridbot(['dashboard'], h.env({ DASHBOARD_PORT: String(busyPort) }));
    expect(dashboard.code).toBe(1);
    expect(dashboard.output).toContain(`gridbot: DASHBOARD_PORT: port ${busyPort}`);
    expect(dashboard.output).toContain('Set DASHBOARD_PORT to a free port.');
  });

  it('keeps the name a web chat was registered with, and an unregistered web chat stays so', async () => {
    expect((await say('front-desk', 'hello')).status).toBe(202);
    expect(await thread('web:front-desk')).toEqual({ title: null, registered: true });

    const named = await runGridbot(
      ['threads', 'register', 'web:front-desk', '--name', 'Front desk'],
      h.env(),
    );
    expect(named.code).toBe(0);
    expect((await say('front-desk', 'hello again')).status).toBe(202);
    expect(await thread('web:front-desk')).toEqual({ title: 'Front desk', registered: true });

    const dropped = await runGridbot(['threads', 'unregister', 'web:front-desk'], h.env());
    expect(dropped.code).toBe(0);
    expect((await say('front-desk', 'anyone there?')).status).toBe(202);
    expect(await thread('web:front-desk')).toEqual({ title: 'Front desk', registered: false });
    const stored = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select('content')
      .where('threads.jid', '=', 'web:front-desk')
      .where('role', '=', 'user')
      .execute();
    expect(stored.map((m) => m.content)).toEqual(['hello', 'hello again']);

    // Registering it again is the admin's word too.
    await runGridbot(['threads', 'register', 'web:front-desk'], h.env());
    expect((await say('front-desk', 'back?')).status).toBe(202);
    expect(await thread('web:front-desk')).toEqual({ title: 'Front desk', registered: true });
  });
});

describe('gridbot doctor', () => {
  const doctor = (extra: Record<string, string> = {}) =>
    runGridbot(['doctor'], h.env({ AGENT_IMAGE: 'gridbot-agent:test', ...extra }), 60_000);

  it('passes a healthy install, then names a stale role and a stuck reply and fails', async () => {
    const healthy = await doctor();
    expect(healthy.output).toMatch(/^ok +postgres +.*schema current$/m);
    expect(healthy.output).toMatch(/^ok +fleet +1 role\(s\) up/m);
    expect(healthy.output).toMatch(/^ok +outbox /m);
    expect(healthy.code).toBe(0);

    const { id: threadId } = await registerThread(h.db.db, { jid: 'telegram:-4242' });
    const stuck = await insertOutbox(h.db.db, {
      threadId,
      runId: null,
      channel: 'telegram',
      jid: 'telegram:-4242',
      text: 'never sent',
      replyTo: null,
    });
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await h.db.db
      .updateTable('outbox')
      .set({ created_at: tenMinutesAgo })
      .where('id', '=', stuck.id)
      .execute();
    await h.db.db
      .insertInto('instances')
      .values({
        id: 'worker-gone',
        role: 'worker',
        host: 'box-7',
        pid: 4711,
        version: 'test',
        git_sha: null,
        started_at: tenMinutesAgo,
        heartbeat_at: tenMinutesAgo,
        status: 'up',
        agent_runtime: 'process',
        behaviour: null,
      })
      .execute();
    const sick = await doctor();
    expect(sick.code).toBe(1);
    expect(sick.output).toMatch(
      /^PROBLEM +fleet +1 role\(s\) stopped sending heartbeats: worker on box-7 \(pid 4711/m,
    );
    expect(sick.output).toMatch(
      /^PROBLEM +outbox +replies not sent for over 5 min: 1 on telegram/m,
    );
    expect(sick.output).toContain('gridbot gateway --channel telegram');
    expect(sick.output).toMatch(/2 problem\(s\)/);
  });

  it('names Redis when it is down, and fails', async () => {
    const result = await doctor({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /^PROBLEM +redis +cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/m,
    );
    expect(result.output).toContain('Start Redis or fix REDIS_URL');
  });
});
