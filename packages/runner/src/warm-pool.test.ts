import { ServiceUnavailableError } from '@gridbot/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRuntime, AgentSpec } from './agent-runtime.ts';
import { FakeAgentProcess } from './testing/fake-agent-process.ts';
import { WarmPool, type WarmPoolOptions } from './warm-pool.ts';

const logger = pino({ level: 'silent' });

/** A runtime that hands out fake agents and remembers them. */
class FakeRuntime implements AgentRuntime {
  readonly name = 'fake';
  readonly started: FakeAgentProcess[] = [];
  async start(_spec: AgentSpec): Promise<FakeAgentProcess> {
    const agent = new FakeAgentProcess();
    this.started.push(agent);
    return agent;
  }
  async close(): Promise<void> {
    await Promise.all(this.started.map((agent) => agent.kill()));
  }
}

const spec = (threadId: number, runId = 1): AgentSpec => ({
  threadId,
  runId,
  workspaceDir: `/tmp/gridbot-pool-${threadId}`,
});

const pools: WarmPool[] = [];
function makePool(options: Partial<WarmPoolOptions> = {}) {
  const runtime = new FakeRuntime();
  const pool = new WarmPool({ runtime, idleMs: 60_000, logger, shutdownGraceMs: 50, ...options });
  pools.push(pool);
  return { runtime, pool };
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('WarmPool', () => {
  it("reuses a thread's released agent and starts another for another thread", async () => {
    const { runtime, pool } = makePool();
    const first = await pool.acquire(spec(1, 1));
    expect(first.reused).toBe(false);
    expect(pool.size).toBe(1);
    await pool.release(1, first.agent, true);
    expect(pool.idleCount).toBe(1);

    const again = await pool.acquire(spec(1, 2));
    expect(again).toEqual({ agent: first.agent, reused: true });
    expect(pool.idleCount).toBe(0);
    const other = await pool.acquire(spec(2, 3));
    expect(other.reused).toBe(false);
    expect(other.agent).not.toBe(first.agent);
    expect(runtime.started).toHaveLength(2);
    expect(pool.size).toBe(2);
  });

  it('kills an agent released as not reusable', async () => {
    const { runtime, pool } = makePool();
    const { agent } = await pool.acquire(spec(1));
    await pool.release(1, agent, false);
    expect(runtime.started[0]?.kills).toBe(1);
    expect(pool.size).toBe(0);
    expect((await pool.acquire(spec(1))).reused).toBe(false);
  });

  it('kills on release when idleMs is 0', async () => {
    const { runtime, pool } = makePool({ idleMs: 0 });
    const { agent } = await pool.acquire(spec(1));
    await pool.release(1, agent, true);
    expect(runtime.started[0]?.kills).toBe(1);
    expect(pool.idleCount).toBe(0);
  });

  it('sends shutdown to an agent idle for idleMs and lets it exit by itself', async () => {
    const { runtime, pool } = makePool({ idleMs: 20 });
    const { agent } = await pool.acquire(spec(1));
    await pool.release(1, agent, true);
    const fake = runtime.started[0]!;
    expect(await fake.next()).toEqual({ jsonrpc: '2.0', method: 'shutdown' });
    expect(pool.idleCount).toBe(0);
    fake.exit(0);
    await pool.close();
    expect(fake.kills).toBe(0);
  });

  it('kills an idle agent that ignores shutdown after the grace period', async () => {
    const { runtime, pool } = makePool({ idleMs: 20, shutdownGraceMs: 30 });
    const { agent } = await pool.acquire(spec(1));
    await pool.release(1, agent, true);
    const fake = runtime.started[0]!;
    expect((await fake.next()).method).toBe('shutdown');
    await expect(fake.exited).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    expect(fake.kills).toBe(1);
  });

  it('drops an idle agent that exits by itself and starts a fresh one next time', async () => {
    const { runtime, pool } = makePool();
    const { agent } = await pool.acquire(spec(1));
    await pool.release(1, agent, true);
    runtime.started[0]!.exit(137);
    await agent.exited;
    await Promise.resolve();
    expect(pool.idleCount).toBe(0);
    const next = await pool.acquire(spec(1));
    expect(next.reused).toBe(false);
    expect(next.agent).not.toBe(agent);
  });

  it("discards a thread's warm agent once its mounts or limits change; a new run id or timeout does not", async () => {
    const { runtime, pool } = makePool();
    const docs = { hostPath: '/srv/docs', containerPath: '/workspace/extra/docs', readOnly: true };
    const first = await pool.acquire({ ...spec(1, 1), mounts: [docs], limits: { pids: 64 } });
    await pool.release(1, first.agent, true);
    // The worker passes its timeout with the limits; it is not a property of the container.
    const sameSandbox = { ...spec(1, 2), mounts: [docs], limits: { pids: 64, timeoutMs: 5 } };
    const again = await pool.acquire(sameSandbox as AgentSpec);
    expect(again).toEqual({ agent: first.agent, reused: true });
    await pool.release(1, again.agent, true);

    const writable = { ...docs, readOnly: false };
    const remounted = await pool.acquire({
      ...spec(1, 3),
      mounts: [writable],
      limits: { pids: 64 },
    });
    expect(remounted.reused).toBe(false);
    expect(runtime.started[0]?.kills).toBe(1);
    await pool.release(1, remounted.agent, true);

    const tighter = await pool.acquire({ ...spec(1, 4), mounts: [writable], limits: { pids: 32 } });
    expect(tighter.reused).toBe(false);
    expect(runtime.started.map((agent) => agent.kills)).toEqual([1, 1, 0]);
  });

  it('keeps one idle agent per thread', async () => {
    const { runtime, pool } = makePool();
    const a = await pool.acquire(spec(1, 1));
    const b = await pool.acquire(spec(1, 2));
    expect(b.agent).not.toBe(a.agent);
    await pool.release(1, a.agent, true);
    await pool.release(1, b.agent, true);
    expect(pool.idleCount).toBe(1);
    expect(runtime.started.map((agent) => agent.kills)).toEqual([0, 1]);
    expect((await pool.acquire(spec(1, 3))).agent).toBe(a.agent);
  });

  it('close() shuts down idle agents, kills agents in use and refuses new acquires', async () => {
    const { runtime, pool } = makePool();
    const idle = await pool.acquire(spec(1));
    await pool.acquire(spec(2));
    await pool.release(1, idle.agent, true);
    const [idleFake, busyFake] = runtime.started as [FakeAgentProcess, FakeAgentProcess];
    const closing = pool.close();
    expect((await idleFake.next()).method).toBe('shutdown');
    idleFake.exit(0);
    await closing;
    expect(idleFake.kills).toBe(0);
    expect(busyFake.kills).toBe(1);
    expect(pool.size).toBe(0);
    await expect(pool.acquire(spec(3))).rejects.toBeInstanceOf(ServiceUnavailableError);
    await pool.close();
  });

  it('does not park an agent released after close()', async () => {
    const { pool } = makePool();
    const { agent } = await pool.acquire(spec(1));
    await pool.close();
    await pool.release(1, agent, true);
    await expect(agent.exited).resolves.toMatchObject({ signal: 'SIGTERM' });
    expect(pool.size).toBe(0);
  });
});
