/**
 * Attacks on the agent's container from the chat's side and from the host's: a mount path
 * with `:` in it (which a `Binds` string would split), a mount swapped for a symlink after
 * the allowlist approved it, a curious agent looking for the host's layout, a workspace
 * filled past the cap, and a thread whose mounts change under a warm container. Real Docker,
 * real worker; the containers are inspected as an operator would.
 */
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetOf } from '@gridbot/app-worker';
import { registerThread } from '@gridbot/db';
import { checkMounts, DockerRuntime, MountRefusedError } from '@gridbot/runner';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import { TEST_AGENT_IMAGE } from '../support/services.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

const docker = new Docker();
let h: PipelineHarness;
let scratch: string;
let allowed: string;
let nextChat = -531700;

beforeAll(async () => {
  h = await PipelineHarness.create();
  scratch = await mkdtemp(join(tmpdir(), 'gridbot-sandbox-attacks-'));
  allowed = join(scratch, 'allowed');
  await mkdir(allowed);
  const allowlist = join(scratch, 'mount-allowlist.json');
  await writeFile(
    allowlist,
    JSON.stringify({ allowedRoots: [{ path: allowed, allowReadWrite: false }] }),
  );
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_RUNTIME: 'docker',
    AGENT_COMMAND: 'node /opt/fixtures/report-view.mjs',
    MOUNT_ALLOWLIST: allowlist,
    AGENT_WORKSPACE_MAX_MB: '1',
  });
});

afterAll(async () => {
  await h?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A registered group with the given thread config. */
async function chatWith(config: Record<string, unknown>): Promise<{ chat: ChatSpec; id: number }> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'sandbox',
    userId: 957,
    firstName: 'Ria',
  };
  const thread = await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await setConfig(thread.id, config);
  return { chat, id: thread.id };
}

async function setConfig(threadId: number, config: Record<string, unknown>): Promise<void> {
  await h.db.db
    .updateTable('threads')
    .set({ config: JSON.stringify(config) })
    .where('id', '=', threadId)
    .execute();
}

const replies = (chat: ChatSpec) => h.telegram.botMessages(chat.chatId).map((m) => m.text);

/** Says `text` and waits for the chat's next reply. */
async function ask(chat: ChatSpec, text: string): Promise<string> {
  const before = replies(chat).length;
  await h.telegram.say(chat, `@Andy ${text}`);
  return waitFor(`the answer to ${JSON.stringify(text)}`, () => replies(chat)[before], 30_000);
}

/** The container ids of the thread's runs, oldest first (recorded just after each start). */
async function containersOf(threadId: number, runs: number): Promise<string[]> {
  return waitFor(`${runs} run(s) with a container`, async () => {
    const rows = await h.db.db
      .selectFrom('agent_runs')
      .select('container')
      .where('thread_id', '=', threadId)
      .orderBy('id')
      .execute();
    const ids = rows.map((r) => r.container).filter((c): c is string => c !== null);
    return ids.length >= runs ? ids : null;
  });
}

describe('a live agent container, as docker inspect shows it', () => {
  it('has a noexec /tmp, bounded open files, and typed mounts that keep a path with ":" whole', async () => {
    // Under Binds this path would read as host "…/evil", container "/etc", mode "rw".
    const tricky = join(allowed, 'evil:', 'etc:rw');
    await mkdir(tricky, { recursive: true });
    await writeFile(join(tricky, 'notes.txt'), 'hi');
    const { chat, id } = await chatWith({
      additional_mounts: [{ hostPath: tricky, containerPath: 'notes' }],
    });
    const reply = await ask(chat, 'what do you see?');
    expect(reply).toContain('"extra":["notes"]');
    const [containerId] = await containersOf(id, 1);
    // The container stays warm after the run (AGENT_IDLE_MS), so it is still there to inspect.
    const info = await docker.getContainer(containerId!).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig.Tmpfs).toEqual({
      '/tmp': expect.stringMatching(/^rw,noexec,nosuid,nodev,size=\d+$/),
    });
    expect(info.HostConfig.Ulimits).toEqual([{ Name: 'nofile', Soft: 4096, Hard: 4096 }]);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    const mounts = info.Mounts.map((m) => [m.Type, m.Source, m.Destination, m.RW]);
    expect(mounts).toContainEqual(['bind', tricky, '/workspace/extra/notes', false]);
    expect(mounts.find(([, , target]) => target === '/etc')).toBeUndefined();
    expect(mounts).toContainEqual(['bind', expect.any(String), '/workspace', true]);
  });
});

describe('a thread whose mounts change', () => {
  it('gets a fresh container on its next run, with the new mounts; the old warm one is gone', async () => {
    await mkdir(join(allowed, 'docs'), { recursive: true });
    await mkdir(join(allowed, 'data'), { recursive: true });
    const docs = { hostPath: join(allowed, 'docs') };
    const { chat, id } = await chatWith({ additional_mounts: [docs] });
    expect(await ask(chat, 'one')).toContain('"extra":["docs"]');
    expect(await ask(chat, 'two')).toContain('"extra":["docs"]');
    const [first, reused] = await containersOf(id, 2);
    expect(reused).toBe(first);

    await setConfig(id, { additional_mounts: [docs, { hostPath: join(allowed, 'data') }] });
    expect(await ask(chat, 'three')).toContain('"extra":["data","docs"]');
    const [, , fresh] = await containersOf(id, 3);
    expect(fresh).not.toBe(first);
    await waitFor('the outdated container removed', async () => {
      const gone = await docker
        .getContainer(first!)
        .inspect()
        .then(() => false)
        .catch(() => true);
      return gone;
    });
  });
});

describe('an agent looking for the host layout', () => {
  it('is told its mounts as container paths only, never a host path', async () => {
    await mkdir(join(allowed, 'reports'), { recursive: true });
    const { chat } = await chatWith({
      additional_mounts: [{ hostPath: join(allowed, 'reports'), containerPath: 'reports' }],
    });
    const reply = await ask(chat, 'where am I?');
    expect(reply).toContain('"cwd":"/workspace"');
    expect(reply).toContain('"extra":["reports"]');
    expect(reply).toContain('"additional_mounts":[]');
    expect(reply).not.toContain(scratch);
    expect(reply).not.toContain('gridbot-test-workspaces');
  });
});

describe('a workspace filled past the cap', () => {
  it('is refused before a container starts, in one line; nothing is deleted, and the message is answered once there is room', async () => {
    const { chat, id } = await chatWith({});
    const workspace = join(h.env().WORKSPACE_DIR!, `thread-${id}`);
    await mkdir(workspace, { recursive: true });
    const hoard = join(workspace, 'hoard.bin');
    await writeFile(hoard, Buffer.alloc(2 * 1024 * 1024, 7));

    const refusal = await ask(chat, 'first question');
    expect(refusal).toMatch(
      /^Sorry, I could not start: this chat's workspace takes more than 1 MB of disk, the cap \(AGENT_WORKSPACE_MAX_MB\)\. Nothing was deleted/,
    );
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select(['status', 'container'])
      .where('thread_id', '=', id)
      .execute();
    expect(runs).toEqual([{ status: 'failed', container: null }]);
    expect((await readFile(hoard)).length).toBe(2 * 1024 * 1024);

    // An operator makes room: the kept message is answered with the next one.
    await rm(hoard);
    const answer = await ask(chat, 'second question');
    expect(answer).toContain('"asked":["@Andy first question","@Andy second question"]');
  });
});

describe('a mount swapped for a symlink after the allowlist approved it', () => {
  it('is refused at container start, and no container is left; the secret is never bound', async () => {
    const secret = join(scratch, 'secret');
    await mkdir(secret);
    await writeFile(join(secret, 'id_key'), 'private');
    const shared = join(allowed, 'shared');
    await mkdir(shared);
    const allowlist = {
      allowedRoots: [{ path: allowed, allowReadWrite: false }],
      blockedPatterns: [],
    };
    const mounts = await checkMounts([{ hostPath: shared }], allowlist);
    // The swap: whoever can write to the allowed root replaces the directory with a link.
    await rename(shared, `${shared}.old`);
    await symlink(secret, shared);

    const fleet = fleetOf({ DATABASE_URL: h.db.url });
    const runtime = new DockerRuntime({
      image: TEST_AGENT_IMAGE,
      command: ['node', '/opt/fixtures/report-view.mjs'],
      workerId: `swap-${process.pid}`,
      fleet,
      user: '1000:1000',
      logger: pino({ level: 'silent' }),
    });
    try {
      const threadId = 999_001;
      const start: Promise<unknown> = runtime.start({
        threadId,
        runId: 1,
        workspaceDir: join(scratch, 'ws-swap'),
        mounts,
      });
      const refusal = await start.catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(MountRefusedError);
      expect((refusal as Error).message).toMatch(/replaced .*after it was checked/);
      expect((refusal as Error).message).not.toContain(secret);
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`gridbot.fleet=${fleet}`, `gridbot.thread=${threadId}`] },
      });
      expect(left).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
