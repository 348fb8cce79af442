import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Database, registerInstance, setInstanceStatus } from '@gridbot/db';
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

  /** How this process runs agents, if it is a worker: shown in the fleet with every beat. */
  agentRuntime: 'docker' | 'process' | null = null;

  async start(): Promise<void> {
    const { db, role, version, gitSha } = this.#options;
    const input = () => ({
      id: this.id,
      role,
      host: hostname(),
      pid: process.pid,
      version,
      gitSha,
      agentRuntime: this.agentRuntime,
    });
    await registerInstance(db, input());
    this.#timer = setInterval(() => {
      registerInstance(db, input()).catch((error: Error) =>
        this.#options.logger.warn({ err: error }, 'instance heartbeat failed'),
      );
    }, this.#options.heartbeatMs ?? 10_000);
    this.#timer.unref();
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
