/**
 * The embedded mode, as a newcomer meets it: `gridbot start` with neither DATABASE_URL nor
 * REDIS_URL and no Docker engine, from a clean DATA_DIR. It must get ready, answer in the
 * web chat (in a real browser), end a session at logout, fire a seconds-cron task once per slot, keep the history
 * across a restart, refuse a second start on the same DATA_DIR, and be checked by gridbot doctor.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { insertOutbox, openEmbeddedDatabase } from '@gridbot/db';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { freePort } from './support/free-port.ts';
import {
  type GridbotProcess,
  REPO_ROOT,
  runGridbot,
  spawnGridbot,
  waitUntilReady,
} from './support/gridbot-process.ts';
import { withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const TOKEN = 'embedded-dashboard-token-0123456789';
const dataDir = `/tmp/gridbot-embedded-test-${process.pid}`;
let port: number;
let gridbot: GridbotProcess | null = null;
let browser: Browser;

/** The environment of a fresh machine: no servers, no Docker (its socket points nowhere). */
function env(): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DASHBOARD_PORT: String(port),
    DASHBOARD_TOKEN: TOKEN,
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/schedule-ticks.mjs`,
    AGENT_IDLE_MS: '0',
    // The operator allows the web chat's agent a task every two seconds.
    MIN_TASK_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info',
  };
}

async function start(): Promise<GridbotProcess> {
  const proc = spawnGridbot(['start'], env());
  await waitUntilReady(proc, port, 30_000);
  return proc;
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });

async function history(chat: string): Promise<Array<{ role: string; text: string }>> {
  const res = await api(`/api/chat/${chat}/messages`);
  return ((await res.json()) as { entries: Array<{ role: string; text: string }> }).entries;
}

describe('the embedded mode', () => {
  beforeAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    port = await freePort();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gridbot?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts from a clean DATA_DIR with no server and says which mode it runs in', async () => {
    gridbot = await start();
    expect(gridbot.output()).toContain('"mode":"embedded"');
    expect(gridbot.output()).toContain('the web chat on the dashboard still answers');
    // No Docker engine: agents run as processes, loudly, and without the bash tool (the log
    // line may reach the pipe after the start message).
    const proc = gridbot;
    await waitFor('the no-Docker warning', () =>
      proc.output().includes('no usable Docker engine: agents run as plain processes'),
    );
    expect(gridbot.output()).toContain('the bash tool is withheld');
  });

  it('answers in the web chat in a real browser', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/login`);
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.goto(`http://127.0.0.1:${port}/chat?chat=newcomer`);
    await page.fill('#chat-input', 'hello from a fresh machine');
    await page.keyboard.press('Enter');
    const reply = page.locator('.chat-message.assistant');
    await reply.first().waitFor({ timeout: 30_000 });
    expect(withoutTimes((await reply.first().textContent()) ?? '')).toBe('tick');
    await context.close();
  });

  it('ends a session at logout (kept in the embedded database)', async () => {
    const login = await fetch(`http://127.0.0.1:${port}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN, next: '/' }).toString(),
    });
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const cookie = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('XSRF-TOKEN='))!.slice('XSRF-TOKEN='.length);
    const fleet = () => fetch(`http://127.0.0.1:${port}/api/fleet`, { headers: { cookie } });
    expect((await fleet()).status).toBe(200);
    const out = await fetch(`http://127.0.0.1:${port}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'x-xsrf-token': csrf },
    });
    expect(out.status).toBe(303);
    expect((await fleet()).status).toBe(401);
  });

  it('fires a seconds-cron task once per slot', async () => {
    const posted = await api('/api/chat/cron/messages', {
      method: 'POST',
      body: JSON.stringify({ text: 'please schedule the ticks' }),
    });
    expect(posted.status).toBe(202);
    await waitFor('the task scheduled', async () =>
      (await history('cron')).some((e) => e.text.startsWith('scheduled')),
    );
    await waitFor(
      'three ticks',
      async () => (await history('cron')).filter((e) => e.text === 'tick').length >= 3,
      20_000,
    );
  });

  it('answers `gridbot chat --once` through the running start, in a cli: thread', async () => {
    const chat = await runGridbot(
      ['chat', '--once', '@Andy are you there?', '--name', 'ops'],
      env(),
    );
    expect(chat.code, chat.output).toBe(0);
    expect(chat.output.trim()).toBe('tick');
    const res = await api('/api/terminal/ops/messages');
    const { jid, entries } = (await res.json()) as { jid: string; entries: unknown[] };
    expect(jid).toBe('cli:ops');
    expect(entries).toHaveLength(2);
  });

  it('warns in /status and on the overview that agents run unisolated', async () => {
    const status = await runGridbot(['chat', '--once', '/status', '--name', 'ops'], env());
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain('Workers up: 1');
    expect(status.output).toContain('Warning: agents are NOT isolated');
    const overview = await api('/');
    expect(overview.status).toBe(200);
    expect(await overview.text()).toMatch(
      /id="unisolated"><strong>Agents are not isolated\.<\/strong> all on /,
    );
  });

  it('talks in the terminal: history, a thinking line, the answer, /tasks, and Ctrl-D leaves', async () => {
    const chat = spawn(
      process.execPath,
      [`${REPO_ROOT}apps/cli/src/main.ts`, 'chat', '--name', 'ops'],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env() } },
    );
    let out = '';
    chat.stdout.on('data', (chunk) => {
      out += String(chunk);
    });
    chat.stderr.on('data', (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => chat.once('exit', resolve));
    // The thread's recent history first (the --once exchange above).
    await waitFor('the prompt', () => out.includes('cli:ops — type a message'));
    expect(out).toContain('you> @Andy are you there?');
    chat.stdin.write('@Andy one more\n');
    await waitFor('the thinking line', () => out.includes('thinking…'));
    await waitFor('the answer', () => (out.match(/assistant> tick/g) ?? []).length >= 2);
    chat.stdin.write('/tasks\n');
    await waitFor('the task list', () =>
      out.includes('assistant> No scheduled tasks in this chat.'),
    );
    chat.stdin.end();
    expect(await exited).toBe(0);
  });

  it('refuses a second start on the same DATA_DIR, naming the running one', async () => {
    const second = await runGridbot(['start'], {
      ...env(),
      DASHBOARD_PORT: String(await freePort()),
    });
    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`DATA_DIR ${dataDir} is in use by another gridbot start`);
  });

  it('starts one in-process for `gridbot chat --once` when none runs, and prints the echo reply', async () => {
    const own = `${dataDir}-alone`;
    try {
      const { AGENT_COMMAND: _, ...rest } = env();
      const chat = await runGridbot(
        ['chat', '--once', '@Andy hello'],
        { ...rest, DATA_DIR: own, DASHBOARD_PORT: String(await freePort()) },
        60_000,
      );
      expect(chat.code, chat.output).toBe(0);
      expect(chat.output).toMatch(/^Echo: \[Operator, \d\d:\d\d\] @Andy hello$/m);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('is checked by gridbot doctor running and stopped, which names a reply stuck unsent', async () => {
    const doctor = () => runGridbot(['doctor'], { ...env(), AGENT_RUNTIME: 'process' }, 60_000);
    const running = await doctor();
    expect(running.output).toMatch(
      new RegExp(`ok +start +gridbot start on ${dataDir} answers on port ${port}`),
    );
    expect(running.output).toMatch(/ok +fleet +\d+ role\(s\) up, every heartbeat fresh/);
    expect(running.output).toMatch(/ok +queue threads +\d+ waiting, \d+ active, 0 failed/);
    expect(running.code, running.output).toBe(0);

    await gridbot!.stop();
    gridbot = null;
    const stopped = await doctor();
    expect(stopped.output).toMatch(/warning +start +gridbot start is not running/);
    expect(stopped.output).toMatch(/ok +database +the embedded database of .*, schema current/);
    expect(stopped.code, stopped.output).toBe(0);

    const db = await openEmbeddedDatabase(join(dataDir, 'db'));
    let stuck: number;
    try {
      const thread = await db.db.selectFrom('threads').select('id').executeTakeFirstOrThrow();
      const row = await insertOutbox(db.db, {
        threadId: thread.id,
        runId: null,
        channel: 'web',
        jid: 'web:doctor',
        text: 'never delivered',
        replyTo: null,
      });
      stuck = row.id;
      await db.db
        .updateTable('outbox')
        .set({ created_at: new Date(Date.now() - 10 * 60_000) })
        .where('id', '=', stuck)
        .execute();
    } finally {
      await db.close();
    }
    const sick = await doctor();
    expect(sick.output).toMatch(/PROBLEM +outbox +replies not sent for over 5 min: 1 on web/);
    expect(sick.code).toBe(1);
    const again = await openEmbeddedDatabase(join(dataDir, 'db'));
    try {
      await again.db.deleteFrom('outbox').where('id', '=', stuck).execute();
    } finally {
      await again.close();
    }
    gridbot = await start();
  });

  it('keeps the history across a restart, and every slot fired at most once', async () => {
    const before = await history('cron');
    await gridbot!.stop();
    gridbot = null;
    // Stopped: the database is free to open from here, and shows one run per slot.
    const db = await openEmbeddedDatabase(join(dataDir, 'db'));
    try {
      const runs = await db.db.selectFrom('task_runs').select(['run_at', 'status']).execute();
      expect(runs.length).toBeGreaterThanOrEqual(3);
      const slots = runs.map((r) => r.run_at.toISOString());
      expect(new Set(slots).size).toBe(slots.length);
    } finally {
      await db.close();
    }
    gridbot = await start();
    const after = await history('cron');
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('backs the embedded database up, refuses while start runs, and restores it elsewhere', async () => {
    const refused = await runGridbot(['backup'], env());
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('to back up now, stop it first');
    const before = await history('cron');
    await gridbot!.stop();
    gridbot = null;
    const backup = await runGridbot(['backup'], env());
    expect(backup.code, backup.output).toBe(0);
    const file = /^(\/.*\/gridbot_\d{8}_\d{6}\.tar\.gz)$/m.exec(backup.output)?.[1];
    expect(file, backup.output).toBeTruthy();

    const elsewhere = `${dataDir}-restored`;
    try {
      const restore = await runGridbot(['restore', file!], { ...env(), DATA_DIR: elsewhere });
      expect(restore.code, restore.output).toBe(0);
      const again = await runGridbot(['restore', file!], { ...env(), DATA_DIR: elsewhere });
      expect(again.code).not.toBe(0);
      expect(again.output).toContain('already exists: restore with --force');
      gridbot = spawnGridbot(['start'], { ...env(), DATA_DIR: elsewhere });
      await waitUntilReady(gridbot, port, 30_000);
      const restored = await history('cron');
      expect(restored.slice(0, before.length)).toEqual(before);
    } finally {
      await gridbot?.stop();
      gridbot = null;
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
