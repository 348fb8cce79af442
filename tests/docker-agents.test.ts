import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetOf } from '@gridbot/app-worker';
import { registerThread } from '@gridbot/db';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const docker = new Docker();
let h: PipelineHarness;
let scratch: string;
let nextChat = -900100;

/** A registered group of its own for one test. */
async function newChat(config: Record<string, unknown> = {}): Promise<ChatSpec> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'Box',
    userId: 990,
    firstName: 'Dana',
  };
  const thread = await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await h.db.db
    .updateTable('threads')
    .set({ config: JSON.stringify(config) })
    .where('id', '=', thread.id)
    .execute();
  return chat;
}

const replies = (chat: ChatSpec) =>
  h.telegram.botMessages(chat.chatId).map((m) => withoutTimes(m.text));

async function runsOf(chat: ChatSpec) {
  return h.db.db
    .selectFrom('agent_runs')
    .innerJoin('threads', 'threads.id', 'agent_runs.thread_id')
    .select(['agent_runs.id', 'agent_runs.status', 'agent_runs.container', 'agent_runs.error'])
    .where('threads.jid', '=', `telegram:${chat.chatId}`)
    .orderBy('agent_runs.id')
    .execute();
}

/** Containers of this test's fleet (other suites may run containers at the same time). */
async function gridbotContainers(): Promise<Docker.ContainerInfo[]> {
  const fleet = fleetOf({ DATABASE_URL: h.db.url });
  return docker.listContainers({
    all: true,
    filters: { label: ['gridbot=1', `gridbot.fleet=${fleet}`] },
  });
}

/** A docker worker with `extra` settings, stopped when the test ends. */
async function dockerWorker(extra: Record<string, string> = {}): Promise<GridbotProcess> {
  return h.start(['worker'], { AGENT_RUNTIME: 'docker', ...extra });
}

beforeAll(async () => {
  h = await PipelineHarness.create();
  scratch = await mkdtemp(join(tmpdir(), 'gridbot-docker-e2e-'));
  await h.start(['gateway', '--channel', 'telegram']);
});

afterAll(async () => {
  await h?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('agents in containers, end to end', () => {
  it('answers through the Docker runtime and reuses the warm container for the next run', async () => {
    const worker = await dockerWorker();
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy hello from a container');
    await waitFor('the first reply', () => replies(chat).length === 1);
    expect(replies(chat)[0]).toContain('[Dana] @Andy hello from a container');
    await h.telegram.say(chat, '@Andy again');
    await waitFor('the second reply', () => replies(chat).length === 2);
    const runs = await runsOf(chat);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs[0]!.container).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(runs.map((r) => r.container)).size).toBe(1);
    // The chat can ask whether its agents are isolated.
    await h.telegram.say(chat, '/status');
    await waitFor('the status', () => replies(chat).length === 3);
    expect(replies(chat)[2]).toContain('Workers up: 1');
    expect(replies(chat)[2]).toContain('Agents: isolated in Docker containers');
    expect(await worker.stop()).toBe(0);
    expect(await gridbotContainers()).toEqual([]);
  });

  it("kills an agent at its timeout (a thread may tighten the operator's) and tells the thread in one line, without retrying", async () => {
    const worker = await dockerWorker({
      AGENT_COMMAND: 'node /opt/fixtures/never-finish.mjs',
      AGENT_TIMEOUT_MS: '60000',
    });
    const chat = await newChat({ sandbox: { timeout_ms: 2000 } });
    await h.telegram.say(chat, '@Andy think forever');
    await waitFor('the timeout notice', () => replies(chat).length === 1, 20_000);
    const [run] = await runsOf(chat);
    expect(replies(chat)).toEqual([
      `Sorry, I could not answer: agent did not finish within 2000 ms (run ${run!.id}).`,
    ]);
    await sleep(1_500);
    expect(replies(chat)).toHaveLength(1);
    expect((await runsOf(chat)).map((r) => r.status)).toEqual(['failed']);
    await waitFor('the container removed', async () => (await gridbotContainers()).length === 0);
    await worker.stop();
  });

  it('refuses mounts outside the allowlist, on a blocked pattern, or through a symlink to one; no container starts', async () => {
    const allowed = join(scratch, 'allowed');
    await mkdir(join(allowed, 'docs'), { recursive: true });
    await mkdir(join(allowed, '.ssh'), { recursive: true });
    await symlink(join(allowed, '.ssh'), join(allowed, 'innocent'));
    const allowlist = join(scratch, 'mount-allowlist.json');
    await writeFile(
      allowlist,
      JSON.stringify({ allowedRoots: [{ path: allowed, allowReadWrite: false }] }),
    );
    const worker = await dockerWorker({ MOUNT_ALLOWLIST: allowlist });
    const cases: Array<[string, RegExp]> = [
      ['/etc', /not under an allowed root/],
      [join(allowed, '.ssh'), /\.ssh/],
      [join(allowed, 'innocent'), /\.ssh/],
    ];
    for (const [hostPath, reason] of cases) {
      const chat = await newChat({ additional_mounts: [{ hostPath }] });
      await h.telegram.say(chat, '@Andy use my files');
      await waitFor(`the refusal of ${hostPath}`, () => replies(chat).length === 1);
      const runs = await runsOf(chat);
      expect(runs.map((r) => [r.status, r.container])).toEqual([['failed', null]]);
      // The chat hears that it was refused and where to look; host paths stay out of it.
      expect(replies(chat)[0]).toBe(
        `Sorry, I could not start: this chat's sandbox settings were refused; an admin finds why under run ${runs[0]!.id} in the dashboard.`,
      );
      expect(runs[0]!.error).toContain(`Mount of ${JSON.stringify(hostPath)} refused`);
      expect(runs[0]!.error).toMatch(reason);
    }
    const ok = await newChat({ additional_mounts: [{ hostPath: join(allowed, 'docs') }] });
    await h.telegram.say(ok, '@Andy mounts fine');
    await waitFor('the answer with an allowed mount', () => replies(ok).length === 1);
    expect(replies(ok)[0]).toContain('[Dana] @Andy mounts fine');
    await worker.stop();
  });

  it('passes a follow-up to the running agent, which answers both in one run, once', async () => {
    const worker = await dockerWorker({ AGENT_COMMAND: 'node /opt/fixtures/wait-for-input.mjs' });
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy first question');
    await waitFor('the run to start', async () =>
      (await runsOf(chat)).some((r) => r.status === 'running'),
    );
    await sleep(300);
    await h.telegram.say(chat, '@Andy and a follow-up');
    await waitFor('the reply', () => replies(chat).length === 1);
    expect(replies(chat)[0]).toContain('[Dana] @Andy first question\n[Dana] @Andy and a follow-up');
    await sleep(2_000);
    expect(replies(chat)).toHaveLength(1);
    expect((await runsOf(chat)).map((r) => r.status)).toEqual(['succeeded']);
    await worker.stop();
  });

  it('/stop cancels the live run and removes its container', async () => {
    const worker = await dockerWorker({
      AGENT_COMMAND: 'node /opt/fixtures/never-finish.mjs',
      AGENT_IDLE_MS: '0',
    });
    const chat = await newChat();
    await h.telegram.say(chat, '/stop');
    await waitFor('the nothing-to-stop answer', () => replies(chat).length === 1);
    expect(replies(chat)[0]).toBe('Nothing is running right now.');
    await h.telegram.say(chat, '@Andy long task');
    await waitFor('the run to start', async () =>
      (await runsOf(chat)).some((r) => r.status === 'running'),
    );
    await sleep(300);
    await h.telegram.say(chat, '/stop');
    await waitFor('the stop notice', () => replies(chat).length === 2);
    expect(replies(chat)[1]).toBe('Stopped. Dana asked to stop this run');
    expect((await runsOf(chat)).map((r) => r.status)).toEqual(['cancelled']);
    await waitFor('the container removed', async () => (await gridbotContainers()).length === 0);
    await worker.stop();
  });

  it('removes the container a worker killed with -9 left behind, when the next worker starts', async () => {
    const crashed = await dockerWorker({ AGENT_COMMAND: 'node /opt/fixtures/never-finish.mjs' });
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy hold on');
    await waitFor('a container', async () => (await gridbotContainers()).length === 1);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    await sleep(500);
    expect(await gridbotContainers()).toHaveLength(1);
    const next = await dockerWorker();
    await waitFor(
      'the orphan removed',
      async () => (await gridbotContainers()).length === 0,
      10_000,
    );
    // Docker shows the container gone a moment before the worker's log line arrives.
    await waitFor('the removal logged', () =>
      next.output().includes('removed orphaned agent container'),
    );
    await next.stop();
  });
});
