import { join } from 'node:path';
import {
  type AgentMessage,
  type BehaviourConfig,
  type ChatSendParams,
  type InitializeParams,
  LeaseLostError,
  type LlmCompleteParams,
  PROTOCOL_VERSION,
  resolveConfig,
} from '@gridbot/core';
import {
  type Database,
  findThreadById,
  finishRun,
  historyBefore,
  type Message,
  messagesAfter,
  startRun,
  type Thread,
} from '@gridbot/db';
import type { LlmProvider } from '@gridbot/llm';
import {
  acquireLease,
  commitChatSend,
  commitFailure,
  commitRun,
  DRAIN_ATTEMPTS,
  drainJobSchema,
  type PipelineQueues,
  type RunTarget,
  releaseLease,
  renewLease,
  type ThreadLease,
} from '@gridbot/queue';
import { type AgentRuntime, AgentSession } from '@gridbot/runner';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { DelayedError, type Job } from 'bullmq';
import type { Kysely } from 'kysely';

export interface DrainProcessorOptions {
  db: Kysely<Database>;
  queues: PipelineQueues;
  runtime: AgentRuntime;
  llm: LlmProvider;
  /** Identifies this worker as lease owner and in `agent_runs`. */
  workerId: string;
  assistantName: string;
  globalConfig: BehaviourConfig;
  workspaceRoot: string;
  leaseTtlMs: number;
  agentTimeoutMs: number;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Most new messages handed to one run; the rest wait for the next. */
const MAX_NEW_MESSAGES = 200;
/** How long a job whose thread is leased elsewhere waits before trying again. */
const LEASE_BUSY_DELAY_MS = 1_000;

function toAgentMessage(message: Message): AgentMessage {
  return {
    id: message.id,
    role: message.role === 'assistant' ? 'assistant' : 'user',
    senderName: message.sender_name,
    text: message.content,
    sentAt: message.sent_at.toISOString(),
  };
}

/**
 * Design steps 4–5 for one drain job: take the thread's lease, load what the agent needs,
 * run it, and commit its replies under the fence. On the last failed attempt the thread is
 * told once and its cursor moves past the messages that could not be answered.
 */
export class DrainProcessor {
  readonly #o: DrainProcessorOptions;

  constructor(options: DrainProcessorOptions) {
    this.#o = options;
  }

  async process(job: Job, token?: string): Promise<string> {
    const { threadId } = drainJobSchema.parse(job.data);
    const { db, workerId, leaseTtlMs } = this.#o;
    const lease = await acquireLease(db, threadId, workerId, leaseTtlMs);
    if (!lease) {
      // Another run holds the thread (e.g. a stalled job handed over): try again shortly.
      await job.moveToDelayed(Date.now() + LEASE_BUSY_DELAY_MS, token);
      throw new DelayedError();
    }
    const log = this.#o.logger.child({ threadId, jobId: job.id, leaseToken: lease.token });
    try {
      return await this.#runLeased(job, lease, log);
    } finally {
      await releaseLease(db, lease).catch((error: Error) =>
        log.warn({ err: error }, 'lease release failed'),
      );
    }
  }

  async #runLeased(job: Job, lease: ThreadLease, log: Logger): Promise<string> {
    const { db } = this.#o;
    const thread = await findThreadById(db, lease.threadId);
    if (!thread?.registered) return 'thread not registered';
    const pending = await messagesAfter(db, thread.id, thread.cursor, MAX_NEW_MESSAGES);
    const triggering = pending.filter((m) => m.triggers);
    if (triggering.length === 0) return 'nothing to answer';

    const attempt = job.attemptsMade + 1;
    const run = await startRun(db, {
      threadId: thread.id,
      trigger: 'message',
      worker: this.#o.workerId,
      jobId: job.id ?? null,
      attempt,
      leaseToken: lease.token,
    });
    const runLog = log.child({ runId: run.id });
    const target: RunTarget = { lease, runId: run.id, channel: thread.channel, jid: thread.jid };
    const cursor = pending.at(-1)!.id;
    const started = performance.now();
    const abort = new AbortController();
    const renewal = setInterval(
      () => {
        renewLease(db, lease, this.#o.leaseTtlMs)
          .then((held) => {
            if (!held) abort.abort(new LeaseLostError(lease.threadId, lease.token));
          })
          .catch((error: Error) => runLog.warn({ err: error }, 'lease renewal failed'));
      },
      Math.max(250, Math.floor(this.#o.leaseTtlMs / 3)),
    );
    const tokens = { input: 0, output: 0 };
    try {
      const finish = await this.#runAgent(
        thread,
        run.id,
        pending,
        target,
        tokens,
        abort.signal,
        runLog,
      );
      if (finish.status === 'error')
        throw new Error(`agent reported an error: ${finish.error ?? 'no detail'}`);
      const replyTo = triggering.at(-1)!.platform_message_id;
      const rows = await commitRun(db, {
        ...target,
        replies: finish.reply ? [{ text: finish.reply, replyTo }] : [],
        cursor,
        tokens,
      });
      await this.#enqueue(thread.channel, rows, runLog);
      if (pending.length === MAX_NEW_MESSAGES) {
        // A backlog larger than one run: ask for another run rather than leave it stranded.
        await this.#o.queues.enqueueDrain(thread.id).catch(() => {});
      }
      this.#o.metrics.runDuration.observe(
        { outcome: 'succeeded' },
        (performance.now() - started) / 1000,
      );
      runLog.info({ replies: rows.length, messages: pending.length }, 'run committed');
      return 'answered';
    } catch (error) {
      const fenced = error instanceof LeaseLostError || abort.signal.aborted;
      const message = (error as Error).message;
      this.#o.metrics.runDuration.observe(
        { outcome: fenced ? 'fenced' : 'failed' },
        (performance.now() - started) / 1000,
      );
      if (fenced) {
        // Another run owns the thread now; it will answer. Nothing of ours is committed.
        await finishRun(db, run.id, 'fenced', message, tokens);
        runLog.warn('lease lost; run discarded');
        return 'fenced';
      }
      runLog.error({ err: error, attempt }, 'run failed');
      const final = attempt >= (job.opts.attempts ?? DRAIN_ATTEMPTS);
      if (final) {
        const rows = await commitFailure(db, {
          ...target,
          cursor,
          error: message,
          notice: `Sorry, I could not answer this time (${message.slice(0, 200)}). Please try again.`,
        }).catch(async (commitError: Error) => {
          await finishRun(db, run.id, 'failed', message, tokens);
          runLog.error({ err: commitError }, 'could not record the failure');
          return [];
        });
        await this.#enqueue(thread.channel, rows, runLog);
      } else {
        await finishRun(db, run.id, 'failed', message, tokens);
      }
      throw error;
    } finally {
      clearInterval(renewal);
    }
  }

  async #runAgent(
    thread: Thread,
    runId: number,
    pending: Message[],
    target: RunTarget,
    tokens: { input: number; output: number },
    signal: AbortSignal,
    log: Logger,
  ) {
    const { db, llm } = this.#o;
    const config = resolveConfig(this.#o.globalConfig, {}, thread.config);
    const history = await historyBefore(db, thread.id, thread.cursor, config.history_limit);
    const init: InitializeParams = {
      protocolVersion: PROTOCOL_VERSION,
      assistantName: this.#o.assistantName,
      run: { id: runId, trigger: 'message' },
      thread: {
        id: thread.id,
        jid: thread.jid,
        title: thread.title,
        isGroup: thread.is_group,
        isMain: thread.is_main,
      },
      config,
      newMessages: pending.map(toAgentMessage),
      history: history.map(toAgentMessage),
      memory: { thread: [], global: [] },
      now: new Date().toISOString(),
    };
    const agent = await this.#o.runtime.start({
      threadId: thread.id,
      runId,
      workspaceDir: join(this.#o.workspaceRoot, thread.folder ?? `thread-${thread.id}`),
    });
    const session = new AgentSession({
      agent,
      init,
      timeoutMs: this.#o.agentTimeoutMs,
      logger: log.child({ component: 'agent' }),
      signal,
      handlers: {
        'llm.complete': async (params) => {
          const result = await llm.complete(params as LlmCompleteParams, {
            model: config.model,
            temperature: config.temperature,
            topP: config.top_p,
            maxTokens: config.max_tokens,
            signal,
          });
          tokens.input += result.usage.inputTokens;
          tokens.output += result.usage.outputTokens;
          await db
            .insertInto('token_ledger')
            .values({
              scope: 'thread',
              thread_id: thread.id,
              run_id: runId,
              provider: llm.name,
              model: result.model,
              input_tokens: result.usage.inputTokens,
              output_tokens: result.usage.outputTokens,
            })
            .execute();
          return result;
        },
        'chat.send': async (params) => {
          const { text } = params as ChatSendParams;
          const row = await commitChatSend(db, target, { text, replyTo: null });
          await this.#enqueue(thread.channel, [row], log);
          return { outboxId: row.id };
        },
      },
    });
    return session.run();
  }

  /** Enqueues deliveries; a failure is logged, the rows stay pending in Postgres for the sweeper. */
  async #enqueue(channel: string, rows: Array<{ id: number }>, log: Logger): Promise<void> {
    for (const row of rows) {
      try {
        await this.#o.queues.enqueueOutbound(channel, row.id);
      } catch (error) {
        log.error(
          { err: error, outboxId: row.id },
          'could not enqueue a delivery; it stays pending',
        );
      }
    }
  }
}
