import { traceCarrier } from '@gridbot/telemetry';
import { DRAIN_ATTEMPTS, type DrainJob, OUTBOUND_ATTEMPTS, type OutboundJob } from './jobs.ts';
import {
  drainDedupId,
  outboundJobId,
  outboundQueueName,
  rescueDedupId,
  THREADS_QUEUE,
} from './names.ts';
import { publishRunActivity, type RunActivity, subscribeRunActivity } from './run-activity.ts';
import { announceTaskChange } from './task-schedules.ts';
import { publishThreadEvent, type ThreadEvent } from './thread-events.ts';
import type { QueueTransport, TransportQueue } from './transport.ts';

export interface PipelineQueuesOptions {
  transport: QueueTransport;
  /** The install's prefix, which names its pub/sub channels. */
  prefix: string;
}

/**
 * Producer side of the pipeline: drain jobs for threads and delivery jobs for outbox rows.
 * Postgres is the source of truth; a failed enqueue loses nothing (the caller retries or
 * the sweeper finds the work).
 */
export class PipelineQueues {
  readonly #options: PipelineQueuesOptions;
  readonly #queues = new Map<string, TransportQueue>();

  constructor(options: PipelineQueuesOptions) {
    this.#options = options;
  }

  /** The BullMQ queue of that name (created once). */
  queue(name: string): TransportQueue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = this.#options.transport.createQueue(name);
      queue.on('error', () => {});
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Asks for a run of the thread. At most one active and one waiting drain job exist per
   * thread; messages arriving meanwhile coalesce into the waiting one. `rescueLeaseToken`
   * uses a lane of its own, for a thread whose lease of that token is held by a dead worker
   * (see {@link rescueDedupId}); the lease keeps the lanes' runs from overlapping.
   */
  async enqueueDrain(threadId: number, options: { rescueLeaseToken?: number } = {}): Promise<void> {
    const trace = traceCarrier();
    const data: DrainJob = { threadId, ...(trace && { trace }) };
    const rescue = options.rescueLeaseToken;
    const id = rescue === undefined ? drainDedupId(threadId) : rescueDedupId(threadId, rescue);
    await this.queue(THREADS_QUEUE).add(rescue === undefined ? 'drain' : 'rescue', data, {
      deduplication: { id, keepLastIfActive: true },
      attempts: DRAIN_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 5_000 },
    });
  }

  /**
   * The worker (its instance id, BullMQ's `processedBy`) running the thread's drain job,
   * or null when that job is not active. A drain request coalesces behind an active job,
   * so one held by a dead worker delays the thread until BullMQ's lock expires.
   */
  async activeDrainWorker(threadId: number): Promise<string | null> {
    const queue = this.queue(THREADS_QUEUE);
    const jobId = await queue.getDeduplicationJobId(drainDedupId(threadId));
    const job = jobId ? await queue.getJob(jobId) : undefined;
    if (!job?.processedBy || (await job.getState()) !== 'active') return null;
    return job.processedBy;
  }

  /** Asks the channel's gateway to deliver an outbox row. */
  async enqueueOutbound(channel: string, outboxId: number, threadId?: number): Promise<void> {
    const trace = traceCarrier();
    const data: OutboundJob = {
      outboxId,
      ...(threadId !== undefined && { threadId }),
      ...(trace && { trace }),
    };
    await this.queue(outboundQueueName(channel)).add('send', data, {
      jobId: outboundJobId(outboxId),
      attempts: OUTBOUND_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 5_000 },
    });
  }

  /**
   * Enqueues a delivery again for a row still unsent (the sweeper). A finished job of the
   * same id would make the add a silent no-op, so it is removed first; a job still waiting
   * or running is left alone.
   */
  async requeueOutbound(channel: string, outboxId: number, threadId: number): Promise<void> {
    const queue = this.queue(outboundQueueName(channel));
    const existing = await queue.getJob(outboundJobId(outboxId));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'failed' && state !== 'completed' && state !== 'unknown') return;
      await existing.remove();
    }
    await this.enqueueOutbound(channel, outboxId, threadId);
  }

  /** Publishes a live event of the thread to the worker running it, if any. */
  publishThreadEvent(threadId: number, event: ThreadEvent): Promise<void> {
    const { transport, prefix } = this.#options;
    return publishThreadEvent(transport.pubsub, prefix, threadId, event);
  }

  /** Tells the gateways of the run's channel that it is still working, or done. */
  publishRunActivity(channel: string, activity: RunActivity): Promise<void> {
    const { transport, prefix } = this.#options;
    return publishRunActivity(transport.pubsub, prefix, channel, activity);
  }

  /** Receives the run heartbeats of one channel until the returned function is called. */
  subscribeRunActivity(
    channel: string,
    handler: (activity: RunActivity) => void,
  ): Promise<() => Promise<void>> {
    const { transport, prefix } = this.#options;
    return subscribeRunActivity(transport.pubsub, prefix, channel, handler);
  }

  /** Tells the schedulers that a task changed (created, updated, paused, resumed, cancelled). */
  async announceTaskChange(taskId: number): Promise<void> {
    await announceTaskChange(this.#options.transport.pubsub, this.#options.prefix, taskId);
  }

  /** Closes every queue; safe to call twice. */
  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
  }
}
