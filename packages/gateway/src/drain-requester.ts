import type { PipelineQueues } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';

/**
 * Enqueues drain jobs without ever blocking ingress on Redis. A request that cannot be
 * enqueued (Redis away) is kept and retried until it succeeds; the message itself is
 * already safe in Postgres.
 */
export class DrainRequester {
  readonly #queues: PipelineQueues;
  readonly #logger: Logger;
  readonly #pending = new Set<number>();
  readonly #retryMs: number;
  #timer: NodeJS.Timeout | null = null;
  #outage = false;

  constructor(queues: PipelineQueues, logger: Logger, retryMs = 1_000) {
    this.#queues = queues;
    this.#logger = logger;
    this.#retryMs = retryMs;
  }

  /** Threads still waiting for their drain job to be enqueued. */
  get backlog(): number {
    return this.#pending.size;
  }

  /** Requests a run of the thread; returns once enqueued or parked for retry. */
  async request(threadId: number): Promise<void> {
    try {
      await this.#queues.enqueueDrain(threadId);
    } catch (error) {
      this.#park(threadId, error as Error);
    }
  }

  #park(threadId: number, error: Error): void {
    this.#pending.add(threadId);
    if (!this.#outage) {
      this.#outage = true;
      this.#logger.error(
        { err: error, backlog: this.#pending.size },
        'cannot enqueue to Redis; messages are stored and will be enqueued when Redis is back',
      );
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.#flush(), this.#retryMs);
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    for (const threadId of [...this.#pending]) {
      try {
        await this.#queues.enqueueDrain(threadId);
        this.#pending.delete(threadId);
      } catch {
        this.#schedule();
        return;
      }
    }
    if (this.#outage) {
      this.#outage = false;
      this.#logger.info('Redis is back; parked drain requests enqueued');
    }
  }

  /** Stops retrying (parked requests stay in Postgres for the sweeper). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
