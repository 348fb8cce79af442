/**
 * Where secrets could leak, after a full conversation with the bot token, an LLM key and
 * the dashboard token set (each with characters JSON escapes, where its format allows):
 * every role's log lines at debug level, the live agent container (its configuration as
 * `docker inspect` shows it, every file, every process's environment and command line),
 * and what the agent sends the model when a prompt injection makes it look for secrets.
 * None holds a secret, raw or JSON-escaped. An agent that crashes with internal detail in
 * its error gets a short line with the run id into the chat, and nothing of the error.
 */
import { spawn } from 'node:child_process';
import { fleetOf } from '@gridbot/app-worker';
import { registerThread } from '@gridbot/db';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlmServer, startFakeOpenAi } from '../support/fake-openai.ts';
import { freePort } from '../support/free-port.ts';
import { type GridbotProcess, REPO_ROOT } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import { BOT_TOKEN, type ChatSpec } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

/** The fake Telegram knows one bot token; the others carry a quote and a backslash. */
const LLM_KEY = 'sk-leak"probe\\key-7Hq2Vx9Wn4';
const DASHBOARD_TOKEN = 'dash"board\\token-5Kp8Lm3Qz';
const SECRETS = { BOT_TOKEN, LLM_KEY, DASHBOARD_TOKEN };

/** A secret as it is, JSON-escaped once and twice, and URL-encoded. */
function spellings(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  return [
    ...new Set([secret, once, JSON.stringify(once).slice(1, -1), encodeURIComponent(secret)]),
  ];
}

/** Every spelling of every secret found in `text`, named. */
function leaksIn(text: string): string[] {
  return Object.entries(SECRETS).flatMap(([name, secret]) =>
    spellings(secret)
      .filter((form) => text.includes(form))
      .map((form) => `${name} as ${JSON.stringify(form)}`),
  );
}

/**
 * Run inside the container: reads the strings to look for from stdin (so they are in no
 * file, environment or command line there), searches every regular file outside /proc,
 * /sys and /dev, and every other process's environ and cmdline.
 */
const SCAN = `
const fs = require('node:fs');
const path = require('node:path');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const needles = JSON.parse(input).map((s) => Buffer.from(s));
  const hits = [];
  let files = 0;
  let unreadable = 0;
  const check = (p) => {
    let buf;
    try { buf = fs.readFileSync(p); } catch { unreadable++; return; }
    files++;
    needles.forEach((n, i) => { if (buf.includes(n)) hits.push({ path: p, needle: i }); });
  };
  const walk = (dir) => {
    let entries;
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { unreadable++; return; }
    for (const e of entries) {
      if (dir === '/' && ['proc', 'sys', 'dev'].includes(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) check(p);
    }
  };
  walk('/');
  const pids = fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n) && Number(n) !== process.pid);
  for (const pid of pids) for (const f of ['environ', 'cmdline']) check('/proc/' + pid + '/' + f);
  process.stdout.write(JSON.stringify({ hits, files, processes: pids.length, unreadable }));
});
`;

interface ScanResult {
  hits: Array<{ path: string; needle: number }>;
  files: number;
  processes: number;
  unreadable: number;
}

/** Runs {@link SCAN} in a container as `user` (root sees all files, the agent's user its processes). */
function scanContainer(id: string, user: string | null, needles: string[]): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const args = ['exec', '-i', ...(user ? ['-u', user] : []), id, 'node', '-e', SCAN];
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`docker exec exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as ScanResult);
    });
    child.stdin.end(JSON.stringify(needles));
  });
}

const docker = new Docker();
let h: PipelineHarness;
let llm: FakeLlmServer;
let dashboardPort: number;
const roles: Array<{ name: string; proc: GridbotProcess }> = [];
let nextChat = -560100;

/** What every role gets: all three secrets, whether it needs them or not, and debug logs. */
const EVERY_ROLE = { OPENAI_API_KEY: LLM_KEY, DASHBOARD_TOKEN, LOG_LEVEL: 'debug' };

async function start(name: string, args: string[], extra: Record<string, string> = {}) {
  const proc = await h.start(args, { ...EVERY_ROLE, ...extra });
  roles.push({ name, proc });
  return proc;
}

async function newChat(): Promise<{ chat: ChatSpec; threadId: number }> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'Leaks',
    userId: 956,
    firstName: 'Max',
  };
  const thread = await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  return { chat, threadId: thread.id };
}

const replies = (chat: ChatSpec) => h.telegram.botMessages(chat.chatId).map((m) => m.text);

const dashboard = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${dashboardPort}${path}`, { redirect: 'manual', ...init });

beforeAll(async () => {
  h = await PipelineHarness.create();
  llm = await startFakeOpenAi((body, index) => {
    // A prompt injection: the model has the agent look for secrets wherever it can.
    if (index === 0)
      return {
        text: '',
        toolCalls: [
          {
            name: 'bash',
            arguments: {
              command:
                'env; cat /proc/1/environ /proc/1/cmdline 2>/dev/null | tr "\\0" "\\n"; ls -la / /workspace; grep -rl -e sk- -e dash /workspace /tmp /home 2>/dev/null; echo scanned',
            },
          },
        ],
      };
    return { text: JSON.stringify(body).includes('scanned') ? 'Nothing found.' : 'no result' };
  });
  dashboardPort = await freePort();
  await start('gateway', ['gateway', '--channel', 'telegram']);
  await start('scheduler', ['scheduler']);
  await start('dashboard', ['dashboard'], { HEALTH_PORT: String(dashboardPort) });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
});

/** A conversation through a Docker agent, then a look at everything its container holds. */
async function conversationInContainer(): Promise<void> {
  const { chat } = await newChat();
  await h.telegram.say(chat, '@Andy please check your environment for credentials');
  await waitFor('the answer', () => replies(chat).includes('Nothing found.'), 45_000);
  // The key was really in use: the worker called the model with it.
  expect(llm.requests[0]!.headers.authorization).toBe(`Bearer ${LLM_KEY}`);
  // What the agent saw and sent on (env, files, processes) is in the model's requests.
  const seenByAgent = JSON.stringify(llm.requests.map((r) => r.body));
  expect(seenByAgent).toContain('GRIDBOT_THREAD_ID');
  expect(leaksIn(seenByAgent)).toEqual([]);

  // The warm container, alive after the run: its configuration, files and processes.
  const [info] = await docker.listContainers({
    filters: { label: ['gridbot=1', `gridbot.fleet=${fleetOf({ DATABASE_URL: h.db.url })}`] },
  });
  expect(info, 'a live agent container').toBeDefined();
  const container = docker.getContainer(info!.Id);
  expect(leaksIn(JSON.stringify(await container.inspect()))).toEqual([]);
  const needles = Object.values(SECRETS).flatMap(spellings);
  const asRoot = await scanContainer(info!.Id, '0', needles);
  const asAgent = await scanContainer(info!.Id, null, needles);
  // The scans really looked: the image's files (Node, the agent bundle) and the agent's process.
  expect(asRoot.files).toBeGreaterThan(20);
  expect(asAgent.processes).toBeGreaterThan(0);
  expect(
    [...asRoot.hits, ...asAgent.hits].map((hit) => `${hit.path}: ${needles[hit.needle]}`),
  ).toEqual([]);
}

describe('secrets after a full conversation', () => {
  it('reach no container, no agent, no model request', async () => {
    const worker = await start('worker (docker)', ['worker'], {
      AGENT_RUNTIME: 'docker',
      AGENT_IDLE_MS: '120000',
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-test',
      OPENAI_BASE_URL: llm.baseURL,
    });
    try {
      await conversationInContainer();
    } finally {
      // The next test's worker must be the only one taking runs.
      await worker.stop();
    }
  });

  it('tells the chat a short line with the run id when the agent crashes; the dashboard has the details', async () => {
    await start('worker (crashing agent)', ['worker'], {
      AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/crash-with-stack.mjs`,
      AGENT_IDLE_MS: '0',
    });
    const { chat, threadId } = await newChat();
    await h.telegram.say(chat, '@Andy hello');
    const notice = await waitFor('the failure notice', () => replies(chat)[0], 45_000);
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select(['id', 'error'])
      .where('thread_id', '=', threadId)
      .orderBy('id')
      .execute();
    const last = runs.at(-1)!;
    expect(notice).toBe(`Sorry, I could not answer this time (run ${last.id}). Please try again.`);
    for (const internal of ['INTERNAL-DETAIL', 'ECONNREFUSED', '/srv', 'Error', 'exited', 'at '])
      expect(notice).not.toContain(internal);
    // The operator finds the details in the dashboard, under that run.
    const res = await dashboard(`/api/threads/${threadId}/runs`, {
      headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const listed = (await res.json()) as { runs: Array<{ id: number; error: string | null }> };
    expect(listed.runs.find((r) => r.id === last.id)?.error).toContain('INTERNAL-DETAIL');
  });

  it('are in no log line of any role, though every role had all of them and used its own', async () => {
    // The dashboard token at work: a login, a wrong one, API and metrics calls.
    const login = await dashboard('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: DASHBOARD_TOKEN, next: '/' }).toString(),
    });
    expect(login.status).toBe(303);
    const wrong = await dashboard('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: `${DASHBOARD_TOKEN}x` }).toString(),
    });
    expect(wrong.status).toBe(401);
    const bearer = { authorization: `Bearer ${DASHBOARD_TOKEN}` };
    expect((await dashboard('/api/fleet', { headers: bearer })).status).toBe(200);
    expect((await dashboard('/metrics', { headers: bearer })).status).toBe(200);
    expect((await dashboard('/api/nothing-here', { headers: bearer })).status).toBe(404);
    // Stopped, so their last lines (shutdown) are written too.
    for (const { proc } of roles) await proc.stop();
    for (const { name, proc } of roles) {
      const output = proc.output();
      expect(proc.logs().length, `${name} logged`).toBeGreaterThan(3);
      expect(leaksIn(output), `${name}'s output`).toEqual([]);
    }
  });
});
