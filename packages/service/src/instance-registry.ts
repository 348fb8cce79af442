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

/** Registers this process in `instances` and keeps its heartbeat fresh until stopped. */
export class InstanceRegistry {
  readonly id: string;
  readonly #options: InstanceRegistryOptions;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: InstanceRegistryOptions) {
    this.#options = options;
    this.id = `${options.role}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  async start(): Promise<void> {
    const { db, role, version, gitSha } = this.#options;
    const input = { id: this.id, role, host: hostname(), pid: process.pid, version, gitSha };
    await registerInstance(db, input);
    this.#timer = setInterval(() => {
      registerInstance(db, input).catch((error: Error) =>
        this.#options.logger.warn({ err: error }, 'instance heartbeat failed'),
      );
    }, this.#options.heartbeatMs ?? 10_000);
    this.#timer.unref();
  }

  /** Marks the instance down; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await setInstanceStatus(this.#options.db, this.id, 'down');
  }
}
