import type { Readable, Writable } from 'node:stream';

/** What to start: one agent for one thread's run. */
export interface AgentSpec {
  threadId: number;
  runId: number;
  /** Host directory mounted (or used as cwd) as the agent's `/workspace`. */
  workspaceDir: string;
}

/** A started agent: its stdio and its end. */
export interface AgentProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the agent has exited, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
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
