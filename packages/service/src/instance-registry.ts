import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Database,
  type PublishedBehaviour,
  registerInstance,
  setInstanceStatus,
} from '@gridbot/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export interface InstanceRegistryOptions {
  db: Kysely<Database>;
  role: string;
  version: string;
  gitSha: string | null;
  heartbeatMs?: number;
  logger: Logger;
}

/** Whether a process of this host with that pid is running (signal 0 probes, sends nothing). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Registers this process in `instances` and keeps its heartbeat fresh until stopped. */
export class InstanceRegistry {
  readonly id: string;
  readonly #options: InstanceRegistryOptions;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: InstanceRegistryOptions) {
    this.#options = options;
    this.id = `${options.role}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  #agentRuntime: 'docker' | 'process' | null = null;
  #behaviour: PublishedBehaviour | null = null;

  /** This process's row in `instances`, written at start and with every beat. */
  #register(): Promise<void> {
    const { db, role, version, gitSha } = this.#options;
    return registerInstance(db, {
      id: this.id,
      role,
      host: hostname(),
      pid: process.pid,
      version,
      gitSha,
      agentRuntime: this.#agentRuntime,
      behaviour: this.#behaviour,
    });
  }

  async start(): Promise<void> {
    await this.#register();
    this.#timer = setInterval(() => {
      this.#register().catch((error: Error) =>
        this.#options.logger.warn({ err: error }, 'instance heartbeat failed'),
      );
    }, this.#options.heartbeatMs ?? 10_000);
    this.#timer.unref();
  }

  /**
   * Records how this worker runs agents (kept with every beat): at once when registered
   * already, so the fleet and `/status` never show a working worker without it.
   */
  async setAgentRuntime(kind: 'docker' | 'process'): Promise<void> {
    this.#agentRuntime = kind;
    if (this.#timer) await this.#register();
  }

  /**
   * Publishes the global behaviour settings this worker's runs start from (kept with every
   * beat), for `/config`, `/status` and the dashboard in other processes.
   */
  async setBehaviour(behaviour: PublishedBehaviour): Promise<void> {
    this.#behaviour = behaviour;
    if (this.#timer) await this.#register();
  }

  /**
   * Whether another instance is still running: it has a row, is not marked down, its
   * process exists when it ran on this host, and its heartbeat is at most three beats old.
   */
  async isAlive(id: string): Promise<boolean> {
    const row = await this.#options.db
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.status === 'down') return false;
    if (row.host === hostname() && !processExists(row.pid)) return false;
    const beat = this.#options.heartbeatMs ?? 10_000;
    return Date.now() - row.heartbeat_at.getTime() <= 3 * beat;
  }

  /** Marks the instance down; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await setInstanceStatus(this.#options.db, this.id, 'down');
  }
}
