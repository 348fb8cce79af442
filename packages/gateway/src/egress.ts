import { abortableSleep, type ChannelAdapter, KeyedOrder } from '@gridbot/channels';
import { asJid, chunkText, PlatformRateLimitError, PlatformRejectedError } from '@gridbot/core';
import {
  claimOutboxAttempt,
  type Database,
  isDatabaseUnavailable,
  markOutboxFailed,
  markOutboxSent,
  type OutboxRow,
  recordChunkSent,
  setOutboxPlaceholder,
  setOutboxTransformedText,
} from '@gridbot/db';
import {
  CONSUMER_SETTINGS,
  outboundJobSchema,
  outboundQueueName,
  type PipelineQueues,
  type QueueTransport,
  type TransportWorker,
} from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { inSpan, inTrace, SpanKind } from '@gridbot/telemetry';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { PluginHost } from './plugins/plugin-host.ts';

export interface EgressOptions {
  db: Kysely<Database>;
  adapter: ChannelAdapter;
  queues: PipelineQueues;
  /** Carries the outbound queue (its worker is made here). */
  transport: QueueTransport;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Sends per second to the platform before the queue itself slows down. */
  maxPerSecond?: number;
  /** Deliveries at once (different chats; one chat's replies always go one by one). */
  concurrency?: number;
  /** Plugins whose outbound hooks rewrite each reply once, before its first chunk is sent. */
  plugins?: PluginHost;
}

/** Rate-limit pauses one chunk sits out before its job goes back to the queue. */
const MAX_RATE_LIMIT_WAITS = 5;
/** How long a reply waits before checking again whether its chat's earlier reply is out. */
const EARLIER_REPLY_WAIT_MS = 300;
/** Pause between tries to record a sent chunk while Postgres is away. */
const RECORD_RETRY_MS = 500;

/**
 * Design step 6: consumes `outbound-<channel>`, skips rows already sent, splits text to the
 * platform's limit, sends the chunks still unsent in order (a retry resumes after the last
 * recorded chunk), and honours the platform's rate limits by pausing the whole queue.
 * Several chats are served at once; one chat's replies wait for each other, so they leave
 * in the order they were committed (jobs are fetched in that order).
 */
export class Egress {
  readonly #options: EgressOptions;
  readonly #byChat = new KeyedOrder();
  #worker: TransportWorker | null = null;
  /** Aborted at stop: a delivery sitting out a rate limit hands its job back at once. */
  readonly #stopping = new AbortController();

  constructor(options: EgressOptions) {
    this.#options = options;
  }

  get queueName(): string {
    return outboundQueueName(this.#options.adapter.channel);
  }

  start(): void {
    const { transport, logger, metrics } = this.#options;
    const worker = transport.createWorker(this.queueName, (job) => this.#inOrder(job), {
      concurrency: this.#options.concurrency ?? 8,
      // A killed gateway's deliveries go to the next one within seconds.
      ...CONSUMER_SETTINGS,
      limiter: { max: this.#options.maxPerSecond ?? 25, duration: 1_000 },
    });
    worker.on('completed', () => metrics.jobsProcessed.inc({ queue: this.queueName }));
    worker.on('failed', (job, error) => {
      metrics.jobsFailed.inc({ queue: this.queueName });
      if (!job) return;
      // An unrecoverable failure (a malformed job, a refusal no retry changes) is final at once.
      const final =
        error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      logger.warn(
        { err: error, jobId: job.id, attempt: job.attemptsMade, final },
        'delivery failed',
      );
      const parsed = outboundJobSchema.safeParse(job.data);
      if (final && parsed.success) {
        void markOutboxFailed(this.#options.db, parsed.data.outboxId, error.message).catch(
          () => {},
        );
      }
    });
    worker.on('error', (error) => logger.error({ err: error }, 'outbound worker error'));
    this.#worker = worker;
  }

  /** Delivers after the chat's earlier replies taken by this gateway. */
  async #inOrder(job: Job): Promise<string> {
    const parsed = outboundJobSchema.safeParse(job.data);
    // No retry can make a malformed job valid: fail it at once, with what was wrong.
    if (!parsed.success)
      throw new UnrecoverableError(`malformed outbound job: ${parsed.error.message}`);
    const { threadId, outboxId, trace } = parsed.data;
    const attributes = {
      'gridbot.channel': this.#options.adapter.channel,
      'gridbot.outbox_id': outboxId,
    };
    // Jobs queued by older versions carry no thread: they go one by one, as they used to.
    return this.#byChat.run(threadId ? `thread-${threadId}` : 'unknown-thread', () =>
      inTrace(trace, () =>
        inSpan('gridbot.send', { kind: SpanKind.PRODUCER, attributes }, () =>
          this.#deliver(job, outboxId),
        ),
      ),
    );
  }

  async #deliver(job: Job, outboxId: number): Promise<string> {
    const { db, adapter, logger } = this.#options;
    const claim = await claimOutboxAttempt(db, outboxId);
    if (claim.waitFor !== null) {
      // An earlier reply of this chat is not out yet (its delivery waits for a retry):
      // this one waits too, so the chat reads them in order. No attempt is used.
      await job.moveToDelayed(Date.now() + EARLIER_REPLY_WAIT_MS, job.token);
      throw new DelayedError();
    }
    const row = claim.row;
    if (!row) return 'missing or already sent';
    const log = logger.child({ outboxId, jid: row.jid, jobId: job.id });
    const { document, replyTo } = row.payload;
    if (document) {
      // One message; a retry after a crash between sending and recording sends it again.
      const { content, ...named } = document;
      const data = Buffer.from(content, 'utf8');
      const file = { id: String(row.id), ...named, data, caption: row.payload.text || null };
      const platformId = await this.#send(log, () =>
        adapter.sendDocument(asJid(row.jid), file, { replyTo, idempotencyKey: sendKey(row, 0) }),
      );
      await this.#recordSent(log, () => recordChunkSent(db, outboxId, platformId, true));
      log.debug({ bytes: data.byteLength }, 'delivered a document');
      return 'sent';
    }
    const first = row.platform_message_ids.length;
    const text = first === 0 ? await this.#transform(row) : row.payload.text;
    const chunks = chunkText(text, adapter.maxMessageLength);
    const { actions } = row.payload;
    const placeholder = first === 0 ? await this.#placeholder(row) : null;
    for (let index = first; index < chunks.length; index++) {
      const text = chunks[index]!;
      const last = index === chunks.length - 1;
      // Buttons go under the message's last chunk, where it ends.
      const options = {
        replyTo: index === 0 ? replyTo : null,
        ...(last && actions?.length && { actions }),
        idempotencyKey: sendKey(row, index),
      };
      const jid = asJid(row.jid);
      const platformId = await this.#send(log, async () => {
        if (index > 0 || placeholder === null || !adapter.placeholders) {
          return adapter.sendText(jid, text, options);
        }
        // The reply was drafted in a placeholder: its first chunk replaces it.
        try {
          await adapter.placeholders.finish(jid, placeholder, text, options);
          return placeholder;
        } catch (error) {
          // Deleted meanwhile, or no longer editable: the reply goes out as a message of its own.
          if (!(error instanceof PlatformRejectedError)) throw error;
          log.warn(
            { reason: error.reason, placeholder },
            'the placeholder cannot be edited; sending the reply as a new message',
          );
          return adapter.sendText(jid, text, options);
        }
      });
      await this.#recordSent(log, () => recordChunkSent(db, outboxId, platformId, last));
    }
    // Every chunk went out before a crash, but the row was not marked: mark it now.
    if (first >= chunks.length) await markOutboxSent(db, outboxId);
    log.debug({ chunks: chunks.length }, 'delivered');
    return 'sent';
  }

  /**
   * The placeholder a reply not sent yet replaces: the one recorded on the row (a retry), or
   * the chat's, taken from the adapter and recorded before anything is sent.
   */
  async #placeholder(row: OutboxRow): Promise<string | null> {
    const { adapter, db } = this.#options;
    if (row.payload.placeholder) return row.payload.placeholder;
    if (!adapter.placeholders) return null;
    const taken = await adapter.placeholders.take(row.jid);
    if (taken === null) return null;
    return (await setOutboxPlaceholder(db, row.id, taken)) ? taken : null;
  }

  /**
   * The plugins' version of a reply not sent yet, stored before anything is sent: a retry
   * (after a crash, a refusal, a rate limit) finds it marked and sends exactly that text.
   */
  async #transform(row: OutboxRow): Promise<string> {
    const plugins = this.#options.plugins;
    if (!plugins?.transformsOutbound || row.payload.transformed) return row.payload.text;
    const text = await plugins.outbound({
      text: row.payload.text,
      jid: row.jid,
      channel: row.channel,
      threadId: row.thread_id,
      fromRun: row.run_id !== null,
    });
    await setOutboxTransformedText(this.#options.db, row.id, text);
    return text;
  }

  /**
   * Records a chunk the platform accepted. Failing the job here would send the chunk again
   * on retry, so while Postgres is away the record is retried in place until it answers
   * (or the gateway stops).
   */
  async #recordSent(log: Logger, record: () => Promise<void>): Promise<void> {
    for (let tries = 0; ; tries++) {
      try {
        return await record();
      } catch (error) {
        if (!isDatabaseUnavailable(error) || this.#stopping.signal.aborted) throw error;
        if (tries === 0)
          log.warn(
            { err: error },
            'sent, but Postgres is away: recording the send when it is back',
          );
        await abortableSleep(RECORD_RETRY_MS, this.#stopping.signal);
      }
    }
  }

  /**
   * Sends one chunk (or document). When the platform asks to slow down, the whole queue is paused for that
   * long (no new deliveries start) and this chunk waits and tries again itself, so the
   * chat's later replies, waiting behind it, cannot overtake it. After several refusals in a
   * row the job is handed back to the queue.
   */
  async #send(log: Logger, send: () => Promise<string>): Promise<string> {
    for (let waits = 0; ; waits++) {
      try {
        return await send();
      } catch (error) {
        if (error instanceof PlatformRejectedError) {
          log.warn({ reason: error.reason }, 'the platform refused the message; not retrying');
          throw new UnrecoverableError(error.message);
        }
        if (!(error instanceof PlatformRateLimitError)) throw error;
        log.warn(
          { retryAfterMs: error.retryAfterMs, waits },
          'platform rate limit; pausing the outbound queue',
        );
        await this.#options.queues.queue(this.queueName).rateLimit(error.retryAfterMs);
        if (waits >= MAX_RATE_LIMIT_WAITS || this.#stopping.signal.aborted)
          throw Worker.RateLimitError();
        await abortableSleep(error.retryAfterMs, this.#stopping.signal);
        // Stopping: the job goes back to the queue (no attempt counted) for the next gateway.
        if (this.#stopping.signal.aborted) throw Worker.RateLimitError();
      }
    }
  }

  /** Finishes the current delivery and stops; safe to call twice. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    const worker = this.#worker;
    this.#worker = null;
    await worker?.close();
  }
}

/**
 * The key of one chunk's send, the same on every retry: the row, the chunk, and when the
 * row was written (so a database recreated under the same bot never repeats a key).
 */
function sendKey(row: OutboxRow, chunk: number): string {
  return `${row.id.toString(36)}.${chunk}.${row.created_at.getTime().toString(36)}`.slice(0, 25);
}
