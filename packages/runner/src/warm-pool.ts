import { ServiceUnavailableError } from '@gridbot/core';
import type { Logger } from 'pino';
import type { AgentProcess, AgentRuntime, AgentSpec } from './agent-runtime.ts';
import { agentSpecKey } from './agent-spec-key.ts';
import { settlesWithin } from './settles-within.ts';

export interface WarmPoolOptions {
  runtime: AgentRuntime;
  /** How long a released agent waits for its thread's next run before it is shut down; 0 disables reuse. */
  idleMs: number;
  logger: Logger;
  /** After `shutdown`, how long an idle agent may take to exit before it is killed; default 2000. */
  shutdownGraceMs?: number;
}

/** An agent waiting for its thread's next run. */
interface IdleAgent {
  readonly agent: AgentProcess;
  readonly timer: NodeJS.Timeout;
  /** What it was started with (`agentSpecKey`). */
  readonly key: string;
}

const SHUTDOWN_LINE = `${JSON.stringify({ jsonrpc: '2.0', method: 'shutdown' })}\n`;

/**
 * Keeps each thread's agent running between runs on this worker (a warm agent), so a
 * follow-up run skips the start-up. At most one idle agent per thread; an idle agent is
 * shut down after `idleMs` without a run, and dropped as soon as it exits by itself. A warm
 * agent serves only a run whose spec it was started with (same mounts, limits, workspace):
 * after a thread's config changes them, its next run gets a fresh agent. Callers pair every `acquire` with a `release` saying whether the agent is fit for reuse
 * (`AgentSession.reusable`).
 */
export class WarmPool {
  readonly #runtime: AgentRuntime;
  readonly #idleMs: number;
  readonly #shutdownGraceMs: number;
  readonly #log: Logger;
  readonly #idle = new Map<number, IdleAgent>();
  /** Acquired and not yet released. */
  readonly #inUse = new Set<AgentProcess>();
  /** Shutdowns and kills under way, so `close()` can wait for them. */
  readonly #stopping = new Set<Promise<void>>();
  /** Every agent this pool handled that has exited (filled as `exited` resolves). */
  readonly #dead = new WeakSet<AgentProcess>();
  /** Agents whose stdio errors this pool already guards. */
  readonly #guarded = new WeakSet<AgentProcess>();
  /** The spec key each agent was started with. */
  readonly #keys = new WeakMap<AgentProcess, string>();
  #closed = false;

  constructor(options: WarmPoolOptions) {
    this.#runtime = options.runtime;
    this.#idleMs = Math.max(0, options.idleMs);
    this.#shutdownGraceMs = options.shutdownGraceMs ?? 2_000;
    this.#log = options.logger.child({ component: 'warm-pool', runtime: options.runtime.name });
  }

  /** Agents idling between runs. */
  get idleCount(): number {
    return this.#idle.size;
  }

  /** Agents held by the pool: idle ones plus those acquired and not yet released. */
  get size(): number {
    return this.#idle.size + this.#inUse.size;
  }

  /**
   * The thread's idle agent if it is still alive and was started with this spec (`reused:
   * true`), else a new one from the runtime; an idle agent with another spec is stopped.
   * Rejects with `ServiceUnavailableError` once the pool is closed, and with the
   * runtime's error if the agent cannot start.
   */
  async acquire(spec: AgentSpec): Promise<{ agent: AgentProcess; reused: boolean }> {
    this.#assertOpen();
    const key = agentSpecKey(spec);
    const idle = this.#idle.get(spec.threadId);
    if (idle) {
      this.#idle.delete(spec.threadId);
      clearTimeout(idle.timer);
      const alive = this.#isAlive(idle.agent);
      if (alive && idle.key !== key) {
        this.#log.info(
          { threadId: spec.threadId, runId: spec.runId, agentId: idle.agent.id },
          "the thread's sandbox changed (mounts or limits); discarding its warm agent",
        );
      } else if (alive) {
        this.#inUse.add(idle.agent);
        this.#log.debug(
          { threadId: spec.threadId, runId: spec.runId, agentId: idle.agent.id },
          'reusing the warm agent',
        );
        return { agent: idle.agent, reused: true };
      }
      void this.#stop(idle.agent, 'kill');
    }
    const agent = await this.#runtime.start(spec);
    this.#keys.set(agent, key);
    this.#watch(agent);
    if (this.#closed) {
      // Closed while it was starting: close() could not see it.
      await this.#stop(agent, 'kill');
      this.#assertOpen();
    }
    this.#inUse.add(agent);
    return { agent, reused: false };
  }

  /**
   * Hands an acquired agent back. `reusable` (the session finished cleanly with keepAlive):
   * it idles for `idleMs`, then gets `shutdown`, a grace period and a kill. Otherwise, or if
   * reuse is disabled, the pool is closed or the thread already has an idle agent: killed
   * now. Resolves once the agent is parked or stopped; never rejects.
   */
  async release(threadId: number, agent: AgentProcess, reusable: boolean): Promise<void> {
    this.#inUse.delete(agent);
    this.#watch(agent);
    const keep =
      reusable &&
      this.#idleMs > 0 &&
      !this.#closed &&
      !this.#idle.has(threadId) &&
      this.#isAlive(agent);
    if (!keep) {
      if (reusable && this.#idle.has(threadId)) {
        this.#log.warn({ threadId, agentId: agent.id }, 'thread already has a warm agent; killing');
      }
      await this.#stop(agent, 'kill');
      return;
    }
    const timer = setTimeout(() => {
      if (this.#idle.get(threadId)?.agent !== agent) return;
      this.#idle.delete(threadId);
      this.#log.debug({ threadId, agentId: agent.id }, 'warm agent idle too long; shutting down');
      void this.#stop(agent, 'shutdown');
    }, this.#idleMs);
    // An idle agent must not keep the worker alive; close() stops it on the way out.
    timer.unref();
    this.#idle.set(threadId, { agent, timer, key: this.#keys.get(agent) ?? '' });
  }

  /** Stops every agent the pool knows of (idle and in use); later acquires reject. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const { agent, timer } of this.#idle.values()) {
      clearTimeout(timer);
      void this.#stop(agent, 'shutdown');
    }
    this.#idle.clear();
    for (const agent of this.#inUse) void this.#stop(agent, 'kill');
    this.#inUse.clear();
    await Promise.allSettled([...this.#stopping]);
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new ServiceUnavailableError(
        'agent-pool',
        'The warm agent pool is closed (the worker is shutting down); retry the run on another worker.',
      );
    }
  }

  #isAlive(agent: AgentProcess): boolean {
    const { stdin } = agent;
    return !this.#dead.has(agent) && !stdin.destroyed && !stdin.writableEnded;
  }

  /** Notes the agent's exit (dropping it if idle) and guards its stdio, once per agent. */
  #watch(agent: AgentProcess): void {
    if (this.#guarded.has(agent)) return;
    this.#guarded.add(agent);
    const log = this.#log.child({ agentId: agent.id });
    // A write to an idle agent that died fails with EPIPE; unhandled, that would crash the worker.
    for (const stream of [agent.stdin, agent.stdout, agent.stderr]) {
      stream.on('error', (error) => log.debug({ err: error }, 'warm agent stdio error'));
    }
    const onExit = () => {
      this.#dead.add(agent);
      for (const [threadId, idle] of this.#idle) {
        if (idle.agent !== agent) continue;
        clearTimeout(idle.timer);
        this.#idle.delete(threadId);
        log.info({ threadId }, 'warm agent exited while idle; dropped');
      }
    };
    agent.exited.then(onExit, onExit);
  }

  /** Ends an agent (politely with `shutdown` first, or straight away), tracked for `close()`. */
  #stop(agent: AgentProcess, how: 'shutdown' | 'kill'): Promise<void> {
    const stopping = (async () => {
      if (how === 'shutdown' && this.#isAlive(agent)) {
        try {
          agent.stdin.write(SHUTDOWN_LINE);
          agent.stdin.end();
        } catch {
          // Already gone: the kill below is a no-op then.
        }
        if (await settlesWithin(agent.exited, this.#shutdownGraceMs)) return;
        this.#log.warn(
          { agentId: agent.id, graceMs: this.#shutdownGraceMs },
          'warm agent did not exit after shutdown; killing it',
        );
      }
      try {
        await agent.kill();
      } catch (error) {
        this.#log.warn({ err: error, agentId: agent.id }, 'could not kill the agent');
      }
    })();
    this.#stopping.add(stopping);
    void stopping.finally(() => this.#stopping.delete(stopping));
    return stopping;
  }
}
