import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DRAIN_ATTEMPTS, type DrainJob, OUTBOUND_ATTEMPTS, type OutboundJob } from './jobs.ts';
import { drainDedupId, outboundJobId, outboundQueueName, THREADS_QUEUE } from './names.ts';
import { tasksChangedChannel } from './task-schedules.ts';
import { publishThreadEvent, type ThreadEvent } from './thread-events.ts';

export interface PipelineQueuesOptions {
  connection: Redis;
  prefix: string;
}

/**
 * Producer side of the pipeline: drain jobs for threads and delivery jobs for outbox rows.
 * Postgres is the source of truth; a failed enqueue loses nothing (the caller retries or
 * the sweeper finds the work).
 */
export class PipelineQueues {
  readonly #options: PipelineQueuesOptions;
  readonly #queues = new Map<string, Queue>();

  constructor(options: PipelineQueuesOptions) {
    this.#options = options;
  }

  /** The BullMQ queue of that name (created once). */
  queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.#options.connection,
        prefix: this.#options.prefix,
      });
      queue.on('error', () => {});
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Asks for a run of the thread. At most one active and one waiting drain job exist per
   * thread; messages arriving meanwhile coalesce into the waiting one.
   */
  async enqueueDrain(threadId: number): Promise<void> {
    const data: DrainJob = { threadId };
    await this.queue(THREADS_QUEUE).add('drain', data, {
      deduplication: { id: drainDedupId(threadId), keepLastIfActive: true },
      attempts: DRAIN_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 5_000 },
    });
  }

  /** Asks the channel's gateway to deliver an outbox row. */
  async enqueueOutbound(channel: string, outboxId: number, threadId?: number): Promise<void> {
    const data: OutboundJob = { outboxId, ...(threadId !== undefined && { threadId }) };
    await this.queue(outboundQueueName(channel)).add('send', data, {
      jobId: outboundJobId(outboxId),
      attempts: OUTBOUND_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 5_000 },
    });
  }

  /** Publishes a live event of the thread; resolves with how many running workers got it. */
  publishThreadEvent(threadId: number, event: ThreadEvent): Promise<number> {
    return publishThreadEvent(this.#options.connection, this.#options.prefix, threadId, event);
  }

  /** Tells the schedulers that a task changed (created, updated, paused, resumed, cancelled). */
  async announceTaskChange(taskId: number): Promise<void> {
    await this.#options.connection.publish(
      tasksChangedChannel(this.#options.prefix),
      String(taskId),
    );
  }

  /** Closes every queue; safe to call twice. */
  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
  }
}
