import type { ChannelAdapter } from '@gridbot/channels';
import { asJid, chunkText, PlatformRateLimitError } from '@gridbot/core';
import {
  type Database,
  findOutbox,
  markOutboxFailed,
  markOutboxSent,
  recordChunkSent,
  recordOutboxAttempt,
} from '@gridbot/db';
import { outboundJobSchema, outboundQueueName, type PipelineQueues } from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';

export interface EgressOptions {
  db: Kysely<Database>;
  adapter: ChannelAdapter;
  queues: PipelineQueues;
  /** A blocking-capable connection for the BullMQ worker. */
  connection: Redis;
  prefix: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Sends per second to the platform before the queue itself slows down. */
  maxPerSecond?: number;
}

/**
 * Design step 6: consumes `outbound-<channel>`, skips rows already sent, splits text to the
 * platform's limit, sends the chunks still unsent in order (a retry resumes after the last
 * recorded chunk), and honours the platform's rate limits by pausing the whole queue.
 * Concurrency is 1 so a chat's replies leave in the order they were committed.
 */
export class Egress {
  readonly #options: EgressOptions;
  #worker: Worker | null = null;

  constructor(options: EgressOptions) {
    this.#options = options;
  }

  get queueName(): string {
    return outboundQueueName(this.#options.adapter.channel);
  }

  start(): void {
    const { connection, prefix, logger, metrics } = this.#options;
    const worker = new Worker(this.queueName, (job) => this.#deliver(job), {
      connection,
      prefix,
      concurrency: 1,
      limiter: { max: this.#options.maxPerSecond ?? 25, duration: 1_000 },
    });
    worker.on('completed', () => metrics.jobsProcessed.inc({ queue: this.queueName }));
    worker.on('failed', (job, error) => {
      metrics.jobsFailed.inc({ queue: this.queueName });
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      logger.warn(
        { err: error, jobId: job.id, attempt: job.attemptsMade, final },
        'delivery failed',
      );
      if (final) {
        const { outboxId } = outboundJobSchema.parse(job.data);
        void markOutboxFailed(this.#options.db, outboxId, error.message).catch(() => {});
      }
    });
    worker.on('error', (error) => logger.error({ err: error }, 'outbound worker error'));
    this.#worker = worker;
  }

  async #deliver(job: Job): Promise<string> {
    const { db, adapter, logger } = this.#options;
    const { outboxId } = outboundJobSchema.parse(job.data);
    const row = await findOutbox(db, outboxId);
    if (!row) return 'missing';
    if (row.status === 'sent') return 'already sent';
    await recordOutboxAttempt(db, outboxId);
    const chunks = chunkText(row.payload.text, adapter.maxMessageLength);
    const log = logger.child({ outboxId, jid: row.jid, jobId: job.id });
    try {
      for (let index = row.platform_message_ids.length; index < chunks.length; index++) {
        const replyTo = index === 0 ? row.payload.replyTo : null;
        const platformId = await adapter.sendText(asJid(row.jid), chunks[index]!, { replyTo });
        await recordChunkSent(db, outboxId, platformId);
      }
    } catch (error) {
      if (error instanceof PlatformRateLimitError) {
        log.warn(
          { retryAfterMs: error.retryAfterMs },
          'platform rate limit; pausing the outbound queue',
        );
        await this.#options.queues.queue(this.queueName).rateLimit(error.retryAfterMs);
        throw Worker.RateLimitError();
      }
      throw error;
    }
    await markOutboxSent(db, outboxId);
    log.debug({ chunks: chunks.length }, 'delivered');
    return 'sent';
  }

  /** Finishes the current delivery and stops; safe to call twice. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.close();
  }
}
