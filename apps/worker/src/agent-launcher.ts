import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProtocolError, type BehaviourConfig } from '@gridbot/core';
import type { Thread } from '@gridbot/db';
import {
  type AgentProcess,
  checkMounts,
  checkWorkspaceSize,
  loadMountAllowlist,
  type SandboxLimits,
  validateFolderName,
  type WarmPool,
} from '@gridbot/runner';
import type { Logger } from '@gridbot/service';

export interface AgentLauncherOptions {
  pool: WarmPool;
  workspaceRoot: string;
  /** Shared instructions (read-only at /workspace/global) when the directory exists. */
  globalDir: string | null;
  allowlistPath: string;
  homeDir: string;
  /** Most disk a thread's workspace may take before its runs are refused; 0 = no cap. */
  workspaceMaxBytes?: number;
}

/**
 * Turns a thread and its effective config into a running agent: validates the workspace
 * folder, its size (under the operator's cap) and the extra mounts (against the allowlist),
 * before anything starts, then takes the thread's warm agent or starts one.
 */
export class AgentLauncher {
  readonly #o: AgentLauncherOptions;

  constructor(options: AgentLauncherOptions) {
    this.#o = options;
  }

  async launch(
    thread: Thread,
    runId: number,
    config: BehaviourConfig,
    limits: SandboxLimits,
  ): Promise<{ agent: AgentProcess; reused: boolean }> {
    const folder = thread.folder ? validateFolderName(thread.folder) : `thread-${thread.id}`;
    const workspaceDir = join(this.#o.workspaceRoot, folder);
    await checkWorkspaceSize(workspaceDir, this.#o.workspaceMaxBytes ?? 0);
    const mounts =
      config.additional_mounts.length === 0
        ? []
        : await checkMounts(
            config.additional_mounts,
            await loadMountAllowlist(this.#o.allowlistPath),
            {
              allowlistPath: this.#o.allowlistPath,
              homeDir: this.#o.homeDir,
            },
          );
    const globalDir = this.#o.globalDir && existsSync(this.#o.globalDir) ? this.#o.globalDir : null;
    return this.#o.pool.acquire({
      threadId: thread.id,
      runId,
      workspaceDir,
      globalDir,
      mounts,
      limits,
    });
  }

  /**
   * Runs `use` with the thread's agent (see {@link launch}) and hands the agent back after:
   * kept warm when `use` says it is `reusable`, else stopped. A warm agent may have died since
   * its last run: when a reused agent turns out to have exited, `use` runs once more with a
   * fresh one (unless the run's `signal` was aborted meanwhile).
   */
  async withAgent<T>(
    thread: Thread,
    runId: number,
    config: BehaviourConfig,
    limits: SandboxLimits,
    run: { signal: AbortSignal; log: Logger },
    use: (agent: AgentProcess, reused: boolean) => Promise<{ result: T; reusable: boolean }>,
  ): Promise<T> {
    for (let tries = 0; ; tries++) {
      const { agent, reused } = await this.launch(thread, runId, config, limits);
      try {
        const { result, reusable } = await use(agent, reused);
        await this.release(thread.id, agent, reusable);
        return result;
      } catch (error) {
        await this.release(thread.id, agent, false);
        const stale =
          reused && tries === 0 && error instanceof AgentProtocolError && error.code === 'exited';
        if (!stale || run.signal.aborted) throw error;
        run.log.warn('warm agent was gone; starting a fresh one');
      }
    }
  }

  /** Hands the agent back: kept warm for the thread's next run when `reusable`, else stopped. */
  release(threadId: number, agent: AgentProcess, reusable: boolean): Promise<void> {
    return this.#o.pool.release(threadId, agent, reusable);
  }
}
