import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  type AgentRuntime,
  DockerRuntime,
  defaultAgentCommand,
  ProcessRuntime,
  type SandboxLimits,
} from '@gridbot/runner';
import type { Logger } from '@gridbot/service';
import type { WorkerEnv } from './env.ts';

/** The operator's limits for every agent. */
export function sandboxLimits(env: WorkerEnv): SandboxLimits {
  return {
    memoryBytes: env.AGENT_MEMORY_MB * 1024 * 1024,
    cpus: env.AGENT_CPUS,
    pids: env.AGENT_PIDS,
    outputBytes: env.AGENT_OUTPUT_MB * 1024 * 1024,
    tmpBytes: 64 * 1024 * 1024,
  };
}

/** The uid:gid agents run as: the worker's own, or 1000 when the worker is root. */
export function agentUser(env: WorkerEnv): string {
  if (env.AGENT_USER) return env.AGENT_USER;
  const uid = process.getuid?.() ?? 1000;
  const gid = process.getgid?.() ?? 1000;
  return uid === 0 ? '1000:1000' : `${uid}:${gid}`;
}

/** Where the mount allowlist lives: `MOUNT_ALLOWLIST`, or outside the project in the home directory. */
export function allowlistPath(env: WorkerEnv, home: string | undefined): string {
  return resolve(
    env.MOUNT_ALLOWLIST ?? `${home ?? homedir()}/.config/gridbot/mount-allowlist.json`,
  );
}

/**
 * The installation a worker belongs to: its database (host, port, name), which holds the
 * fleet's `instances`. Containers of other installs on the same engine are never swept.
 */
export function fleetOf(env: Pick<WorkerEnv, 'DATABASE_URL'>): string {
  const url = new URL(env.DATABASE_URL);
  const identity = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/**
 * Builds an agent runtime in place of the one `AGENT_RUNTIME` names: how a composition other
 * than the CLI's (the benchmarks') runs agents, without a setting in the production env.
 */
export type AgentRuntimeFactory = (context: { workerId: string; logger: Logger }) => AgentRuntime;

/** Builds the runtime `AGENT_RUNTIME` names. */
export function createAgentRuntime(
  env: WorkerEnv,
  workerId: string,
  logger: Logger,
  hostPath: string | undefined,
): AgentRuntime {
  const command = env.AGENT_COMMAND?.split(/\s+/).filter(Boolean);
  if (env.AGENT_RUNTIME === 'docker' || env.AGENT_RUNTIME === 'auto') {
    return new DockerRuntime({
      image: env.AGENT_IMAGE,
      ...(command && { command }),
      workerId,
      fleet: fleetOf(env),
      user: agentUser(env),
      limits: sandboxLimits(env),
      ...(env.AGENT_OCI_RUNTIME && { ociRuntime: env.AGENT_OCI_RUNTIME }),
      logger,
    });
  }
  return new ProcessRuntime({
    ...(hostPath && { path: hostPath }),
    command: command ?? defaultAgentCommand(),
    logger,
  });
}
