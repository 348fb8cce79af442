import { randomBytes } from 'node:crypto';
import { chown, mkdir } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { AgentStartError, ConfigError } from '@gridbot/core';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { AgentProcess, AgentRuntime, AgentSpec, SandboxLimits } from './agent-runtime.ts';
import { containerProcess } from './container-process.ts';
import { containerSpec, DEFAULT_SANDBOX_LIMITS } from './container-spec.ts';
import { attachContainer } from './docker-attach.ts';
import { MountRefusedError } from './mount-errors.ts';
import { realMountSources, verifyMountSources } from './mount-sources.ts';
import { sweepOrphanContainers } from './sweep-orphan-containers.ts';

export interface DockerRuntimeOptions {
  /** The engine client; by default the local socket. */
  docker?: Docker;
  image: string;
  /** Overrides the image's command (e.g. another agent program inside the image). */
  command?: string[];
  /** This worker's instance id, written on every container so orphans can be found. */
  workerId: string;
  /**
   * The installation this worker belongs to (e.g. derived from its database). The orphan
   * sweep only touches containers of its own fleet, so installs sharing an engine are safe.
   */
  fleet: string;
  /** `uid:gid` the agent runs as; never root. */
  user: string;
  /** Limits of every agent unless its spec narrows them. */
  limits?: Partial<SandboxLimits>;
  /** Grace between SIGTERM and SIGKILL when stopping a container. */
  stopGraceMs?: number;
  /**
   * The engine's OCI runtime for agent containers, e.g. `runsc` (gVisor: a user-space kernel
   * between the agent and the host's); the engine's default (`runc`) when unset.
   */
  ociRuntime?: string;
  logger: Logger;
}

/**
 * Runs each agent in its own container through the Docker Engine API, sandboxed as
 * `containerSpec` says, with a cap on output. Only the thread's workspace is writable.
 */
export class DockerRuntime implements AgentRuntime {
  readonly name = 'docker';
  readonly #o: DockerRuntimeOptions;
  readonly docker: Docker;
  readonly #live = new Set<AgentProcess>();

  constructor(options: DockerRuntimeOptions) {
    if (/^0(:|$)/.test(options.user) || options.user === 'root') {
      // The uid comes from the operator (AGENT_USER): a setting to fix, not a start failure.
      throw new ConfigError('The docker runtime never runs agents as root: set a non-zero uid.', [
        'AGENT_USER',
      ]);
    }
    this.#o = options;
    this.docker = options.docker ?? new Docker();
  }

  /**
   * Checks the engine answers, the image exists and the engine knows the OCI runtime asked
   * for; throws an `AgentStartError` (`docker_unavailable`, `image_missing`,
   * `runtime_missing`) whose message says what to do.
   */
  async check(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw new AgentStartError(
        'docker_unavailable',
        `The Docker engine is not reachable (${(error as Error).message}). Start Docker or set AGENT_RUNTIME=process for development.`,
        { cause: error },
      );
    }
    try {
      await this.docker.getImage(this.#o.image).inspect();
    } catch (error) {
      throw new AgentStartError(
        'image_missing',
        `The agent image ${this.#o.image} is not present. Build it (infra/agent/build-offline-image.sh, or docker build -f infra/agent/Dockerfile) or set AGENT_IMAGE.`,
        { cause: error },
      );
    }
    if (this.#o.ociRuntime) await this.#checkOciRuntime(this.#o.ociRuntime);
  }

  async #checkOciRuntime(name: string): Promise<void> {
    let known: string[];
    try {
      const info = (await this.docker.info()) as { Runtimes?: Record<string, unknown> };
      known = Object.keys(info.Runtimes ?? {});
    } catch (error) {
      throw new AgentStartError(
        'docker_unavailable',
        `Could not ask the Docker engine which OCI runtimes it has (${(error as Error).message}); AGENT_OCI_RUNTIME needs GET /info (a socket proxy must allow INFO).`,
        { cause: error },
      );
    }
    if (!known.includes(name)) {
      throw new AgentStartError(
        'runtime_missing',
        `The Docker engine has no OCI runtime ${JSON.stringify(name)} (it has ${known.join(', ') || 'none'}). Install it and register it in the engine's daemon.json "runtimes", or unset AGENT_OCI_RUNTIME.`,
      );
    }
  }

  async start(spec: AgentSpec): Promise<AgentProcess> {
    const limits = { ...DEFAULT_SANDBOX_LIMITS, ...this.#o.limits, ...spec.limits };
    await this.#prepareWorkspace(spec.workspaceDir);
    // Bind real paths only, and only while they are still the ones that were checked.
    const sources = await realMountSources(spec);
    await verifyMountSources(sources);
    const container = await this.docker.createContainer(
      containerSpec(sources, {
        image: this.#o.image,
        command: this.#o.command,
        user: this.#o.user,
        limits,
        workerId: this.#o.workerId,
        fleet: this.#o.fleet,
        nameSuffix: randomBytes(3).toString('hex'),
        ociRuntime: this.#o.ociRuntime,
      }),
    );
    const log = this.#o.logger.child({
      threadId: spec.threadId,
      runId: spec.runId,
      container: container.id.slice(0, 12),
    });
    let socket: Duplex;
    try {
      socket = await attachContainer(this.docker, container.id);
      // The engine binds at start: a source swapped since the check above must not get in.
      await verifyMountSources(sources);
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => {});
      if (error instanceof MountRefusedError) throw error;
      throw new AgentStartError(
        'start_failed',
        `Could not start the agent container: ${(error as Error).message}`,
        { cause: error },
      );
    }
    log.debug('agent container started');
    const agent = containerProcess(container, socket, {
      outputBytes: limits.outputBytes,
      stopGraceMs: this.#o.stopGraceMs ?? 2_000,
      log,
    });
    this.#live.add(agent);
    void agent.exited.then(() => this.#live.delete(agent));
    return agent;
  }

  /** The workspace must exist and, when the worker runs as root, belong to the agent's user. */
  async #prepareWorkspace(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    if (process.getuid?.() === 0) {
      const [uid, gid] = this.#o.user.split(':').map(Number);
      await chown(dir, uid ?? 1000, gid ?? uid ?? 1000);
    }
  }

  /** Stops every container this runtime started; safe to call twice. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#live].map((agent) => agent.kill()));
  }

  /**
   * Removes this fleet's containers whose worker is gone (crashed or killed): those labelled
   * with a worker id for which `isAlive` says no. Returns how many it removed.
   */
  removeOrphans(isAlive: (workerId: string) => boolean | Promise<boolean>): Promise<number> {
    return sweepOrphanContainers({
      docker: this.docker,
      fleet: this.#o.fleet,
      workerId: this.#o.workerId,
      isAlive,
      logger: this.#o.logger,
    });
  }
}
