import type { PipelineQueues } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';

interface Parked {
  channel: string;
  outboxId: number;
  threadId: number;
}

/**
 * Deliveries whose job could not be enqueued after their commit (Redis away). The rows are
 * safe in Postgres and the sweeper would requeue them after its grace; retrying here every
 * `retryMs` gets them out as soon as Redis is back instead. Bounded: past `max` parked
 * rows, further ones are left to the sweeper alone.
 */
export class ParkedDeliveries {
  readonly #queues: PipelineQueues;
  readonly #logger: Logger;
  readonly #retryMs: number;
  readonly #max: number;
  readonly #parked = new Map<number, Parked>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    queues: PipelineQueues,
    logger: Logger,
    options: { retryMs?: number; max?: number } = {},
  ) {
    this.#queues = queues;
    this.#logger = logger;
    this.#retryMs = options.retryMs ?? 1_000;
    this.#max = options.max ?? 10_000;
  }

  get size(): number {
    return this.#parked.size;
  }

  /** Enqueues each committed row's delivery, in order (see {@link enqueue}). */
  async enqueueRows(
    channel: string,
    rows: ReadonlyArray<{ id: number; thread_id: number }>,
  ): Promise<void> {
    for (const row of rows) await this.enqueue(channel, row.id, row.thread_id);
  }

  /** Enqueues the delivery, or keeps it for a retry when Redis refuses. */
  async enqueue(channel: string, outboxId: number, threadId: number): Promise<void> {
    try {
      await this.#queues.enqueueOutbound(channel, outboxId, threadId);
    } catch (error) {
      if (this.#parked.size < this.#max)
        this.#parked.set(outboxId, { channel, outboxId, threadId });
      this.#logger.warn(
        { err: error, outboxId, parked: this.#parked.size },
        'could not enqueue a delivery (Redis away); retrying until it is back',
      );
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.#flush(), this.#retryMs);
    this.#timer.unref();
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    for (const parked of [...this.#parked.values()]) {
      try {
        await this.#queues.enqueueOutbound(parked.channel, parked.outboxId, parked.threadId);
        this.#parked.delete(parked.outboxId);
      } catch {
        this.#schedule();
        return;
      }
    }
  }

  /** Stops retrying; what is parked stays pending in Postgres for the sweeper. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
