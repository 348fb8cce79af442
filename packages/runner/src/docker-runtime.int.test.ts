import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentProtocolError,
  AgentStartError,
  ConfigError,
  type InitializeParams,
} from '@gridbot/core';
import Docker from 'dockerode';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleInit } from '../../../tests/support/sample-init.ts';
import { TEST_AGENT_IMAGE } from '../../../tests/support/services.ts';
import { describeAgentRuntimeContract } from './agent-runtime.contract.ts';
import type { SandboxLimits } from './agent-runtime.ts';
import { AgentSession } from './agent-session.ts';
import { AGENT_OPEN_FILES, CONTAINER_LABELS } from './container-spec.ts';
import { DockerRuntime } from './docker-runtime.ts';

const logger = pino({ level: 'silent' });
const docker = new Docker();
/** A fleet of this file's own: other suites' orphan sweeps never touch these containers. */
const FLEET = `runner-test-${process.pid}-${Date.now()}`;

function runtime(
  fixture: string | null,
  options: { workerId?: string; limits?: Partial<SandboxLimits> } = {},
) {
  return new DockerRuntime({
    image: TEST_AGENT_IMAGE,
    ...(fixture && { command: ['node', `/opt/fixtures/${fixture}`] }),
    workerId: options.workerId ?? 'test-worker',
    fleet: FLEET,
    user: '1000:1000',
    stopGraceMs: 500,
    ...(options.limits && { limits: options.limits }),
    logger,
  });
}

describeAgentRuntimeContract('docker', (fixture) => runtime(fixture));

function init(text: string): InitializeParams {
  const now = new Date().toISOString();
  return sampleInit({
    run: { id: 1, trigger: 'message' },
    thread: { id: 1, jid: 'telegram:-1', title: 'Sandbox', isGroup: true, isMain: false },
    newMessages: [{ id: 1, role: 'user', senderName: 'Alice', text, sentAt: now }],
    now,
  });
}

let workspaces: string;
beforeEach(async () => {
  workspaces = await mkdtemp(join(tmpdir(), 'gridbot-docker-'));
});
afterEach(async () => {
  await rm(workspaces, { recursive: true, force: true });
});

async function containersOf(workerId: string) {
  return docker.listContainers({
    all: true,
    filters: { label: [`${CONTAINER_LABELS.worker}=${workerId}`] },
  });
}

describe('the docker sandbox, seen from inside the agent', () => {
  let server: Server;
  let hostAddress: string;
  beforeAll(async () => {
    server = createServer((socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const port = (server.address() as { port: number }).port;
    const ip =
      Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.1';
    hostAddress = `${ip}:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('has no network, a read-only root, writable /workspace and /tmp only, a non-root user and no worker secret', async () => {
    process.env.GRIDBOT_TEST_SECRET = 'sk-live-never-in-a-container';
    const shared = join(workspaces, 'shared');
    await mkdir(shared);
    await writeFile(join(shared, 'readme.txt'), 'shared');
    const rt = runtime('probe-sandbox.mjs');
    try {
      const agent = await rt.start({
        threadId: 1,
        runId: 1,
        workspaceDir: join(workspaces, 'thread-1'),
        mounts: [{ hostPath: shared, containerPath: '/workspace/extra/shared', readOnly: true }],
      });
      const finish = await new AgentSession({
        agent,
        init: init(`${hostAddress},127.0.0.1:${hostAddress.split(':')[1]}`),
        handlers: {},
        timeoutMs: 20_000,
        logger,
      }).run();
      const report = JSON.parse(finish.reply!);
      expect(report.uid).toBe(1000);
      for (const [target, outcome] of Object.entries(report.network)) {
        expect(outcome, `connect to ${target}`).not.toBe('connected');
      }
      expect(report.writes).toEqual({
        '/workspace/probe.txt': 'ok',
        '/tmp/probe.txt': 'ok',
        '/etc/probe.txt': 'EROFS',
        '/app/probe.txt': 'EROFS',
        '/probe.txt': 'EROFS',
        '/workspace/extra/shared/probe.txt': 'EROFS',
      });
      // A program written to /tmp cannot be run there, and open files are bounded.
      expect(report.tmpExec).toBe('EACCES');
      expect(report.openFiles).toBe(AGENT_OPEN_FILES);
      expect(JSON.stringify(report.env)).not.toContain('sk-live-never-in-a-container');
      expect(
        Object.keys(report.env).filter((k) => /TOKEN|KEY|SECRET|PASSWORD|DATABASE|REDIS/.test(k)),
      ).toEqual([]);
    } finally {
      delete process.env.GRIDBOT_TEST_SECRET;
      await rt.close();
    }
  });

  it('kills an agent that outlives the timeout and removes its container', async () => {
    const rt = runtime('never-finish.mjs', { workerId: 'timeout-worker' });
    const agent = await rt.start({ threadId: 2, runId: 2, workspaceDir: join(workspaces, 't2') });
    const run = new AgentSession({
      agent,
      init: init('hi'),
      handlers: {},
      timeoutMs: 1_500,
      logger,
    }).run();
    await expect(run).rejects.toMatchObject({ code: 'timeout' });
    await agent.exited;
    expect(await containersOf('timeout-worker')).toEqual([]);
  });

  it('stops a fork bomb at the pids limit, and the agent lives on to answer', async () => {
    const rt = runtime('fork-bomb.mjs', { limits: { pids: 48 } });
    try {
      const agent = await rt.start({ threadId: 3, runId: 3, workspaceDir: join(workspaces, 't3') });
      const finish = await new AgentSession({
        agent,
        init: init('go'),
        handlers: {},
        timeoutMs: 30_000,
        logger,
      }).run();
      const [, count, error] = /^spawned (\d+): (.*)$/.exec(finish.reply ?? '') ?? [];
      expect(Number(count)).toBeLessThan(48);
      expect(error).toBe('EAGAIN');
    } finally {
      await rt.close();
    }
  });

  it('reports a memory hog as killed for running out of memory', async () => {
    const rt = runtime('memory-hog.mjs', { limits: { memoryBytes: 96 * 1024 * 1024 } });
    const agent = await rt.start({ threadId: 4, runId: 4, workspaceDir: join(workspaces, 't4') });
    const run = new AgentSession({
      agent,
      init: init('eat'),
      handlers: {},
      timeoutMs: 30_000,
      logger,
    }).run();
    await expect(run).rejects.toThrow(AgentProtocolError);
    await expect(run).rejects.toMatchObject({
      code: 'oom',
      message: expect.stringContaining('out of memory'),
    });
    expect((await agent.exited).oomKilled).toBe(true);
  });

  it('stops an agent that floods its output past the cap', async () => {
    const rt = runtime('chatty.mjs', { limits: { outputBytes: 1024 * 1024 } });
    const agent = await rt.start({ threadId: 5, runId: 5, workspaceDir: join(workspaces, 't5') });
    const run = new AgentSession({
      agent,
      init: init('talk'),
      handlers: {},
      timeoutMs: 30_000,
      logger,
    }).run();
    await expect(run).rejects.toMatchObject({
      code: 'stopped',
      message: expect.stringContaining('output exceeded'),
    });
  });
});

describe('orphaned containers', () => {
  it('are removed when their worker is gone, and only then', async () => {
    const crashed = runtime('never-finish.mjs', { workerId: 'crashed-worker' });
    const alive = runtime('never-finish.mjs', { workerId: 'alive-worker' });
    await crashed.start({ threadId: 6, runId: 6, workspaceDir: join(workspaces, 't6') });
    await alive.start({ threadId: 7, runId: 7, workspaceDir: join(workspaces, 't7') });
    const sweeper = runtime(null, { workerId: 'new-worker' });
    try {
      const removed = await sweeper.removeOrphans((id) => id === 'alive-worker');
      expect(removed).toBe(1);
      expect(await containersOf('crashed-worker')).toEqual([]);
      expect(await containersOf('alive-worker')).toHaveLength(1);
    } finally {
      await alive.close();
      await crashed.close();
    }
  });
});

describe('DockerRuntime.check', () => {
  it('names a missing image and how to build it', async () => {
    const rt = new DockerRuntime({
      image: 'gridbot-agent:does-not-exist',
      fleet: FLEET,
      workerId: 'w',
      user: '1000:1000',
      logger,
    });
    await expect(rt.check()).rejects.toThrow(
      /gridbot-agent:does-not-exist is not present.*build-offline-image/,
    );
    await expect(rt.check()).rejects.toThrow(AgentStartError);
    await expect(rt.check()).rejects.toMatchObject({ code: 'image_missing' });
  });

  it('names an OCI runtime the engine does not have, and how to add it', async () => {
    const rt = new DockerRuntime({
      image: TEST_AGENT_IMAGE,
      fleet: FLEET,
      workerId: 'w',
      user: '1000:1000',
      ociRuntime: 'no-such-runtime',
      logger,
    });
    await expect(rt.check()).rejects.toMatchObject({
      code: 'runtime_missing',
      message: expect.stringMatching(
        /no OCI runtime "no-such-runtime".*daemon\.json.*AGENT_OCI_RUNTIME/,
      ),
    });
  });

  it('runs agents under the OCI runtime it is given', async () => {
    const rt = new DockerRuntime({
      image: TEST_AGENT_IMAGE,
      command: ['node', '/opt/fixtures/never-finish.mjs'],
      fleet: FLEET,
      workerId: 'oci-worker',
      user: '1000:1000',
      ociRuntime: 'runc',
      logger,
    });
    try {
      await rt.check();
      const agent = await rt.start({ threadId: 8, runId: 8, workspaceDir: join(workspaces, 't8') });
      const info = await docker.getContainer(agent.id).inspect();
      expect(info.HostConfig.Runtime).toBe('runc');
    } finally {
      await rt.close();
    }
  });

  it('refuses to run agents as root', () => {
    expect(
      () => new DockerRuntime({ image: 'x', workerId: 'w', user: '0:0', fleet: FLEET, logger }),
    ).toThrow(/never runs agents as root/);
    expect(
      () => new DockerRuntime({ image: 'x', workerId: 'w', user: '0:0', fleet: FLEET, logger }),
    ).toThrow(ConfigError);
  });
});
