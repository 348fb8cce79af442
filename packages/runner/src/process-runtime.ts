import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentStartError } from '@gridbot/core';
import type { Logger } from 'pino';
import type { AgentProcess, AgentRuntime, AgentSpec } from './agent-runtime.ts';

export interface ProcessRuntimeOptions {
  /** argv of the agent program, e.g. `defaultAgentCommand()`; an absolute program path is safest. */
  command: string[];
  logger: Logger;
  /** Time between SIGTERM and SIGKILL; default 2000 ms. */
  killGraceMs?: number;
  /** `PATH` given to agents (also used to find a bare command name); default `/usr/local/bin:/usr/bin:/bin`. */
  path?: string;
  /** `LANG` given to agents; default `C.UTF-8`. */
  lang?: string;
}

type Exit = { code: number | null; signal: string | null };

/**
 * Runs each agent as a child process of this one, with the workspace as cwd and HOME and a
 * scrubbed environment. It does NOT isolate agents (same user, same filesystem, network):
 * development and tests only; production uses the docker runtime.
 */
export class ProcessRuntime implements AgentRuntime {
  readonly name = 'process';
  readonly #command: string[];
  readonly #log: Logger;
  readonly #killGraceMs: number;
  readonly #path: string;
  readonly #lang: string;
  readonly #live = new Set<AgentProcess>();

  constructor(options: ProcessRuntimeOptions) {
    if (options.command.length === 0 || !options.command[0]) {
      throw new TypeError('ProcessRuntime needs a command, e.g. defaultAgentCommand()');
    }
    this.#command = options.command;
    this.#log = options.logger.child({ component: 'process-runtime' });
    this.#killGraceMs = options.killGraceMs ?? 2_000;
    this.#path = options.path ?? '/usr/local/bin:/usr/bin:/bin';
    this.#lang = options.lang ?? 'C.UTF-8';
    this.#log.warn(
      'The process agent runtime does NOT isolate agents: they run as this user with full ' +
        'access to this machine and its network. Use it for development and tests only; ' +
        'use the docker runtime in production.',
    );
  }

  /** Spawns the agent; rejects with `AgentStartError('spawn_failed')` if it cannot start. */
  async start(spec: AgentSpec): Promise<AgentProcess> {
    const cwd = resolve(spec.workspaceDir);
    await mkdir(cwd, { recursive: true });
    const [program, ...args] = this.#command as [string, ...string[]];
    const child = spawn(program, args, {
      cwd,
      // Only these: no key, token or URL of the worker's environment ever reaches an agent.
      env: {
        PATH: this.#path,
        LANG: this.#lang,
        TZ: 'UTC',
        HOME: cwd,
        GRIDBOT_THREAD_ID: String(spec.threadId),
        GRIDBOT_RUN_ID: String(spec.runId),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so kill() also reaches whatever the agent started.
      detached: true,
    });
    // Listen before awaiting anything, so a very short-lived agent's exit is not missed.
    const status: { exit: Exit | null } = { exit: null };
    const exited = new Promise<Exit>((resolveExit) => {
      child.once('exit', (code, signal) => {
        status.exit = { code, signal };
        resolveExit(status.exit);
      });
    });
    try {
      await once(child, 'spawn');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new AgentStartError(
        'spawn_failed',
        `Could not start the agent program ${JSON.stringify(program)} (${reason}). Check the ` +
          'process runtime command: use an absolute path, or a name found on its PATH.',
        { cause: error },
      );
    }
    const agent = this.#wrap(child, exited, status, spec);
    this.#live.add(agent);
    void agent.exited.then(() => this.#live.delete(agent));
    return agent;
  }

  /** Kills every agent still running; safe to call twice. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#live].map((agent) => agent.kill()));
  }

  #wrap(
    child: ChildProcessWithoutNullStreams,
    exited: Promise<Exit>,
    status: { readonly exit: Exit | null },
    spec: AgentSpec,
  ): AgentProcess {
    const log = this.#log.child({ threadId: spec.threadId, runId: spec.runId, pid: child.pid });
    log.info('agent process started');
    void exited.then((exit) => log.debug(exit, 'agent process exited'));
    // Unhandled 'error' events would crash the worker; the session sees the effects anyway.
    child.on('error', (error) => log.warn({ err: error }, 'agent process error'));
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      stream.on('error', (error) => log.debug({ err: error }, 'agent stdio error'));
    }
    const signalGroup = (signal: NodeJS.Signals) => {
      if (status.exit || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    let killing: Promise<void> | undefined;
    const kill = (): Promise<void> => {
      killing ??= (async () => {
        if (status.exit) return;
        signalGroup('SIGTERM');
        const timer = setTimeout(() => {
          log.warn({ graceMs: this.#killGraceMs }, 'agent ignored SIGTERM; sending SIGKILL');
          signalGroup('SIGKILL');
        }, this.#killGraceMs);
        await exited;
        clearTimeout(timer);
      })();
      return killing;
    };
    return {
      id: `pid-${child.pid}`,
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      kill,
    };
  }
}
