import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import type { AgentSpec, SandboxLimits } from './agent-runtime.ts';

/** Labels every GridBot container carries; the orphan sweeper selects on them. */
export const CONTAINER_LABELS = {
  managed: 'gridbot',
  fleet: 'gridbot.fleet',
  thread: 'gridbot.thread',
  run: 'gridbot.run',
  worker: 'gridbot.worker',
} as const;

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  memoryBytes: 512 * 1024 * 1024,
  cpus: 1,
  pids: 256,
  outputBytes: 16 * 1024 * 1024,
  tmpBytes: 64 * 1024 * 1024,
};

/** Open files an agent may hold at once (the `nofile` ulimit). */
export const AGENT_OPEN_FILES = 4096;

/** What the docker runtime knows about every container it creates, beside the agent's spec. */
export interface ContainerSpecOptions {
  image: string;
  /** Overrides the image's command. */
  command?: string[] | undefined;
  /** `uid:gid`, already checked not to be root. */
  user: string;
  /** The limits in force for this agent (defaults, then the runtime's, then the spec's). */
  limits: SandboxLimits;
  workerId: string;
  fleet: string;
  /** Makes the container's name unique when a thread's run starts twice. */
  nameSuffix: string;
  /** The engine's OCI runtime for the container (e.g. `runsc` for gVisor); the engine's default when unset. */
  ociRuntime?: string | undefined;
}

/** A read-write or read-only bind mount, typed: a host path with `:` in it stays one path. */
function bind(source: string, target: string, readOnly: boolean): MountSettings {
  return { Type: 'bind', Source: source, Target: target, ReadOnly: readOnly };
}

/**
 * The Docker Engine create options of one agent's container: no network, read-only root
 * filesystem, a small tmpfs `/tmp`, every capability dropped, `no-new-privileges`, a
 * non-root user, memory (no swap), CPU and pids limits, a bound on open files. Only the
 * thread's workspace (and extra mounts the allowlist approved as writable) can be written;
 * mounts are typed (`Mounts`, not `Binds` strings, which split a path at `:`). The output cap
 * is not a create option: the runtime counts the attached stream (`demuxAttachStream`).
 *
 * There is no `nproc` ulimit on purpose: the kernel counts it per uid across the whole host
 * (every agent shares the uid), so it would let one thread's agents starve another's; the
 * pids limit bounds each container instead.
 */
export function containerSpec(
  spec: AgentSpec,
  options: ContainerSpecOptions,
): ContainerCreateOptions {
  const { limits } = options;
  const mounts = [bind(spec.workspaceDir, '/workspace', false)];
  if (spec.globalDir) mounts.push(bind(spec.globalDir, '/workspace/global', true));
  for (const mount of spec.mounts ?? []) {
    mounts.push(bind(mount.hostPath, mount.containerPath, mount.readOnly));
  }
  return {
    name: `gridbot-t${spec.threadId}-r${spec.runId}-${options.nameSuffix}`,
    Image: options.image,
    ...(options.command && { Cmd: options.command }),
    User: options.user,
    WorkingDir: '/workspace',
    // Only these: no key, token or URL of the worker's environment ever reaches an agent.
    Env: [
      'HOME=/workspace',
      'LANG=C.UTF-8',
      'TZ=UTC',
      `GRIDBOT_THREAD_ID=${spec.threadId}`,
      `GRIDBOT_RUN_ID=${spec.runId}`,
    ],
    Labels: {
      [CONTAINER_LABELS.managed]: '1',
      [CONTAINER_LABELS.fleet]: options.fleet,
      [CONTAINER_LABELS.thread]: String(spec.threadId),
      [CONTAINER_LABELS.run]: String(spec.runId),
      [CONTAINER_LABELS.worker]: options.workerId,
    },
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: false,
    // Without a TTY the engine frames stdout and stderr apart on the attached stream.
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      // Nothing written to /tmp can be executed, setuid, or a device.
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpBytes}` },
      // A bound on open files, besides the pids limit (an agent cannot exhaust the host's).
      Ulimits: [{ Name: 'nofile', Soft: AGENT_OPEN_FILES, Hard: AGENT_OPEN_FILES }],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: limits.memoryBytes,
      // Equal to Memory: no swap on top of it.
      MemorySwap: limits.memoryBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pids,
      Mounts: mounts,
      Init: true,
      ...(options.ociRuntime && { Runtime: options.ociRuntime }),
      // No AutoRemove: the runtime inspects the exited container (OOMKilled) and then removes it.
    },
  };
}
