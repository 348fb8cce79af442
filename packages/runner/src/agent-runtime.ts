import type { Readable, Writable } from 'node:stream';

/** A host directory made visible to the agent, after the mount allowlist approved it. */
export interface AgentMount {
  /** The real (symlink-free) host path the allowlist approved; the runtime binds exactly this. */
  hostPath: string;
  /** The path as the thread's config asked for it, for messages (which never show the real one). */
  requestedPath?: string;
  /** Absolute path inside the agent's filesystem, without `..`. */
  containerPath: string;
  readOnly: boolean;
}

/** Resource limits of one agent; runtimes that cannot enforce a limit ignore it. */
export interface SandboxLimits {
  memoryBytes: number;
  /** CPUs, fractional (1.5 = one and a half cores). */
  cpus: number;
  pids: number;
  /** Bytes of stdout plus stderr after which the agent is stopped. */
  outputBytes: number;
  /** Size of the writable `/tmp`. */
  tmpBytes: number;
}

/** What to start: the agent for one thread (it may then serve several runs when kept warm). */
export interface AgentSpec {
  threadId: number;
  /** The run the agent is started for (a warm agent serves later runs too). */
  runId: number;
  /** Host directory mounted read-write as the agent's `/workspace` (or its cwd). */
  workspaceDir: string;
  /** Shared instructions mounted read-only at `/workspace/global`, if the directory exists. */
  globalDir?: string | null;
  /** Extra mounts, already checked against the allowlist. */
  mounts?: AgentMount[];
  limits?: Partial<SandboxLimits>;
}

/** How an agent ended. */
export interface AgentExit {
  code: number | null;
  signal: string | null;
  /** The kernel killed it for exceeding its memory limit. */
  oomKilled?: boolean;
  /** Why the runtime stopped it, when it did (e.g. the output cap). */
  reason?: string;
}

/** A started agent: its stdio and its end. */
export interface AgentProcess {
  /** Runtime-specific id (pid, container id) for logs and `agent_runs.container`. */
  readonly id: string;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the agent has exited. */
  readonly exited: Promise<AgentExit>;
  /** Stops the agent (SIGTERM, then SIGKILL after a grace period); safe to call twice. */
  kill(): Promise<void>;
}

/** Starts agents. `process` (development, not isolated) and `docker` (production) implement it. */
export interface AgentRuntime {
  readonly name: string;
  start(spec: AgentSpec): Promise<AgentProcess>;
  /** Stops every agent this runtime started. */
  close(): Promise<void>;
}
