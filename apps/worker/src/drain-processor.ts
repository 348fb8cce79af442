import {
  AgentProtocolError,
  type BehaviourConfig,
  LeaseLostError,
  type RunFinishParams,
  resolveConfig,
} from '@gridbot/core';
import {
  acquireLease,
  commitFailure,
  commitRun,
  commitSkippedDrain,
  type Database,
  findTask,
  findThreadById,
  finishRun,
  historyBefore,
  isDatabaseUnavailable,
  leaseHolder,
  listMemories,
  type Message,
  messagesAfter,
  releaseLease,
  renewLease,
  startRun,
  type Thread,
  type ThreadLease,
  takeOverLease,
  todayIn,
  tokensUsedToday,
  undeliveredDecisions,
} from '@gridbot/db';
import type { LlmProvider } from '@gridbot/llm';
import {
  DRAIN_ATTEMPTS,
  drainJobSchema,
  type PipelineQueues,
  type ThreadEvent,
  type ThreadEventHub,
  taskJobSchema,
} from '@gridbot/queue';
import { type AgentRequestHandlers, AgentSession } from '@gridbot/runner';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AgentLauncher } from './agent-launcher.ts';
import { agentRequestHandlers } from './agent-requests.ts';
import { buildInit } from './build-init.ts';
import { ParkedDeliveries } from './parked-deliveries.ts';
import { classifyRunFailure } from './run-failure.ts';
import type { Planner, RunPlan } from './run-plan.ts';
import { runRequestHandlers } from './run-requests.ts';
import type { RunState } from './run-state.ts';
import { MISFIRE_GRACE_MS, planTask } from './task-plan.ts';
import { type OperatorLimits, threadLimits } from './thread-limits.ts';
import { WorkerStoppingError } from './worker-stopping-error.ts';

export interface DrainProcessorOptions {
  /** Tools the model is never offered (the worker enforces it, not the agent). */
  withheldTools?: ReadonlySet<string>;
  db: Kysely<Database>;
  queues: PipelineQueues;
  launcher: AgentLauncher;
  /** Live thread events (follow-up messages, stop requests). */
  events: ThreadEventHub;
  llm: LlmProvider;
  /** Identifies this worker as lease owner and in `agent_runs`. */
  workerId: string;
  assistantName: string;
  globalConfig: BehaviourConfig;
  leaseTtlMs: number;
  /** Whether a lease holder (a worker instance id) is still running; a dead one's lease is taken over. */
  isOwnerAlive?: (owner: string) => Promise<boolean>;
  /** A task firing later than this after its slot is a misfire. */
  misfireGraceMs?: number;
  /** The operator's ceiling; a thread's config may only tighten it. */
  limits: OperatorLimits;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Most new messages handed to one run; the rest wait for the next. */
const MAX_NEW_MESSAGES = 200;
/** How long a job whose thread is leased elsewhere waits before trying again. */
const LEASE_BUSY_DELAY_MS = 1_000;
/** How long a job waits for Postgres to answer again; such waits use no attempt. */
const DATABASE_DOWN_DELAY_MS = 2_000;
/** With the queue in Postgres as well: how often a job retries in place while it is away. */
const OUTAGE_RETRY_IN_PLACE_MS = 250;
/** …and for how long, before the attempt fails as it would without this. */
const OUTAGE_WAIT_IN_PLACE_MS = 30_000;

/** What an agent starts with besides its new messages. */
interface AgentContext {
  history: Awaited<ReturnType<typeof historyBefore>>;
  threadMemory: Awaited<ReturnType<typeof listMemories>>;
  globalMemory: Awaited<ReturnType<typeof listMemories>>;
}

/**
 * Design steps 4–5 for one drain job: take the thread's lease, load what the agent needs,
 * run it (feeding it follow-up messages as they arrive), and commit its replies under the
 * fence. A failure a retry could fix goes back to the queue; on the last attempt, or for a
 * failure no retry can fix (timeout, out of memory, refused mount, /stop), the thread is
 * told in one line and its cursor moves past the run's messages.
 */
export class DrainProcessor {
  readonly #o: DrainProcessorOptions;
  /** Threads this worker is running now: a lease of ours on any other thread is stale. */
  readonly #running = new Set<number>();
  /** The runs in flight, so a stopping worker can hand them back. */
  readonly #live = new Set<RunState>();
  /** Deliveries committed while Redis was away, enqueued as soon as it is back. */
  readonly #deliveries: ParkedDeliveries;

  constructor(options: DrainProcessorOptions) {
    this.#o = options;
    this.#deliveries = new ParkedDeliveries(
      options.queues,
      options.logger.child({ component: 'deliveries' }),
    );
  }

  /** A drain job: answer the thread's new messages. */
  process(job: Job, token?: string): Promise<string> {
    const { threadId } = parseJob(drainJobSchema, job, 'drain');
    return this.#outageSafe(job, token, () =>
      this.#leased(job, token, threadId, (thread, config, lease, log) =>
        this.#planMessages(thread, config, lease, log),
      ),
    );
  }

  /** A task firing: run the task's prompt in its thread (see `planTask`). */
  processTask(job: Job, token?: string): Promise<string> {
    const { taskId, slot } = parseJob(taskJobSchema, job, 'task');
    return this.#outageSafe(job, token, () => this.#fireTask(job, token, taskId, slot));
  }

  /**
   * Stops every run in flight because the worker is stopping: each is recorded as handed
   * back and its job returns to the queue at once, without using an attempt, for another
   * worker. Returns how many runs were handed back.
   */
  handBack(): number {
    for (const state of this.#live) state.abort.abort(new WorkerStoppingError());
    return this.#live.size;
  }

  /**
   * Postgres being away is nobody's fault: the job waits and tries again, without using
   * one of its attempts, so an outage never turns into "could not answer". When the queue
   * is in Postgres too (the Postgres-only and embedded modes) it cannot be delayed either:
   * the job then waits here, holding its lock, and tries again once Postgres answers —
   * rather than sitting out its lock's expiry after Postgres is back.
   */
  async #outageSafe(job: Job, token: string | undefined, work: () => Promise<string>) {
    const giveUpAt = Date.now() + OUTAGE_WAIT_IN_PLACE_MS;
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        this.#o.logger.warn(
          { err: error, jobId: job.id },
          'Postgres is unavailable; the job waits and tries again',
        );
        const delayed = await job.moveToDelayed(Date.now() + DATABASE_DOWN_DELAY_MS, token).then(
          () => true,
          () => false,
        );
        if (delayed) throw new DelayedError();
        if (Date.now() >= giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_RETRY_IN_PLACE_MS));
      }
    }
  }

  async #fireTask(
    job: Job,
    token: string | undefined,
    taskId: number,
    slot: number | undefined,
  ): Promise<string> {
    const task = await findTask(this.#o.db, taskId);
    if (!task) return 'task gone';
    const firedFor = slot ?? job.opts.prevMillis ?? job.timestamp;
    return this.#leased(job, token, task.thread_id, (thread, config, lease, log) =>
      planTask({
        misfireGraceMs: this.#o.misfireGraceMs ?? MISFIRE_GRACE_MS,
        db: this.#o.db,
        task,
        slot: firedFor,
        thread,
        config,
        log,
        skip: (p) => this.#overBudget(lease, thread, p, config, log),
      }),
    );
  }

  async #leased(
    job: Job,
    token: string | undefined,
    threadId: number,
    plan: Planner,
  ): Promise<string> {
    const { db, workerId, leaseTtlMs } = this.#o;
    // One run per thread per worker: another job of ours (the rescue lane) waits its turn.
    const lease = this.#running.has(threadId)
      ? null
      : await this.#claim(threadId, () =>
          acquireLease(db, threadId, workerId, leaseTtlMs).then(
            (taken) => taken ?? this.#takeOverFromDead(threadId),
          ),
        );
    if (!lease) {
      // Another run holds the thread (e.g. a stalled job handed over): try again shortly.
      await job.moveToDelayed(Date.now() + LEASE_BUSY_DELAY_MS, token);
      throw new DelayedError();
    }
    const log = this.#o.logger.child({ threadId, jobId: job.id, leaseToken: lease.token });
    if (lease.diedRuns)
      log.warn({ runs: lease.diedRuns }, "marked the previous holder's unfinished runs failed");
    // Listen for follow-ups before loading messages, so none falls between the two.
    const early: ThreadEvent[] = [];
    let onEvent: (event: ThreadEvent) => void = (event) => early.push(event);
    const subscribing = this.#o.events.subscribe(threadId, (event) => onEvent(event));
    try {
      // The thread row loads meanwhile: its cursor is read before the subscription, but
      // messages past it are loaded only after, so none is missed.
      const [, thread] = await Promise.all([subscribing, findThreadById(db, threadId)]);
      return await this.#runLeased(job, lease, thread, log, plan, (handler) => {
        onEvent = handler;
        for (const event of early.splice(0)) handler(event);
      });
    } finally {
      this.#running.delete(threadId);
      await Promise.all([
        subscribing.then(
          (unsubscribe) => unsubscribe(),
          () => {},
        ),
        releaseLease(db, lease).catch((error: Error) =>
          log.warn({ err: error }, 'lease release failed'),
        ),
      ]);
    }
  }

  /** Marks the thread as running here while `take` gets its lease; unmarks it if none. */
  async #claim(
    threadId: number,
    take: () => Promise<ThreadLease | null>,
  ): Promise<ThreadLease | null> {
    this.#running.add(threadId);
    try {
      const lease = await take();
      if (!lease) this.#running.delete(threadId);
      return lease;
    } catch (error) {
      this.#running.delete(threadId);
      throw error;
    }
  }

  /**
   * The lease of a thread whose holder crashed (killed worker), instead of waiting for its
   * expiry; or a lease of this worker's own that no run of it holds any more (its release
   * failed while Postgres was away).
   */
  async #takeOverFromDead(threadId: number): Promise<ThreadLease | null> {
    const { db, workerId, leaseTtlMs, isOwnerAlive } = this.#o;
    const holder = await leaseHolder(db, threadId);
    if (!holder) return null;
    // #claim marked the thread as ours just now; any older lease of ours is stale.
    if (holder === workerId) {
      // fall through: take it back with a new token
    } else if (!isOwnerAlive || (await isOwnerAlive(holder))) {
      return null;
    }
    const lease = await takeOverLease(db, threadId, holder, workerId, leaseTtlMs);
    if (lease && holder === workerId)
      this.#o.logger.warn({ threadId }, 'took back a lease this worker failed to release');
    else if (lease)
      this.#o.logger.warn({ threadId, deadOwner: holder }, 'took over the lease of a dead worker');
    return lease;
  }

  /** Messages past the cursor (or approval outcomes) to answer, unless the budget is spent. */
  async #planMessages(
    thread: Thread,
    config: BehaviourConfig,
    lease: ThreadLease,
    log: Logger,
  ): Promise<RunPlan | string> {
    const { db } = this.#o;
    const [pending, decisions] = await Promise.all([
      messagesAfter(db, thread.id, thread.cursor, MAX_NEW_MESSAGES),
      undeliveredDecisions(db, thread.id),
    ]);
    if (!pending.some((m) => m.triggers) && decisions.length === 0) return 'nothing to answer';
    if (await this.#overBudget(lease, thread, pending, config, log)) return 'over budget';
    return {
      trigger: 'message',
      pending,
      decisions,
      isolated: false,
      onCommitted: async () => {
        if (pending.length === MAX_NEW_MESSAGES) {
          // A backlog larger than one run: ask for another run rather than leave it stranded.
          await this.#o.queues.enqueueDrain(thread.id).catch(() => {});
        }
      },
    };
  }

  async #runLeased(
    job: Job,
    lease: ThreadLease,
    thread: Thread | undefined,
    log: Logger,
    plan: Planner,
    listen: (handler: (event: ThreadEvent) => void) => void,
  ): Promise<string> {
    const { db } = this.#o;
    if (!thread?.registered) return 'thread not registered';
    const config = resolveConfig(this.#o.globalConfig, {}, thread.config);
    const planned = await plan(thread, config, lease, log);
    if (typeof planned === 'string') return planned;
    const { pending, decisions } = planned;

    const attempt = job.attemptsMade + 1;
    // The agent's context loads while the run is recorded (separate pool connections).
    const context = this.#loadContext(thread, config, planned.isolated);
    context.catch(() => {}); // awaited in #runAgent; a failure there fails the run
    const run = await startRun(db, {
      threadId: thread.id,
      trigger: planned.trigger,
      worker: this.#o.workerId,
      jobId: job.id ?? null,
      attempt,
      leaseToken: lease.token,
    });
    const state: RunState = {
      thread,
      decisions,
      awaitingApproval: null,
      providerError: null,
      storageError: null,
      config,
      pending,
      target: { lease, runId: run.id, channel: thread.channel, jid: thread.jid },
      tokens: { input: 0, output: 0 },
      abort: new AbortController(),
      delivered: new Set(),
      trigger: planned.trigger,
      isolated: planned.isolated,
      log: log.child({ runId: run.id }),
    };
    this.#live.add(state);
    const started = performance.now();
    const renewal = setInterval(
      () => {
        renewLease(db, lease, this.#o.leaseTtlMs)
          .then((held) => {
            if (!held) state.abort.abort(new LeaseLostError(lease.threadId, lease.token));
          })
          .catch((error: Error) => state.log.warn({ err: error }, 'lease renewal failed'));
      },
      Math.max(250, Math.floor(this.#o.leaseTtlMs / 3)),
    );
    const observe = (outcome: string) =>
      this.#o.metrics.runDuration.observe({ outcome }, (performance.now() - started) / 1000);
    try {
      const finish = await this.#runAgent(state, run.id, await context, listen);
      // The provider's failure, not the agent's reaction to it, is what the thread hears about.
      if (state.providerError) throw state.providerError;
      if (state.storageError) throw state.storageError;
      if (finish.status === 'error')
        throw new Error(`agent reported an error: ${finish.error ?? 'no detail'}`);
      const rows = await commitRun(db, {
        ...state.target,
        replies: finish.reply ? [{ text: finish.reply, replyTo: lastTrigger(pending) }] : [],
        cursor: consumedCursor(thread.cursor, pending, finish, state.delivered),
        tokens: state.tokens,
        status: state.awaitingApproval === null ? 'succeeded' : 'awaiting_approval',
        deliveredApprovalIds: decisions.map((d) => d.id),
      });
      await this.#enqueue(thread.channel, rows);
      await planned.onCommitted?.(finish.reply, run.id);
      observe('succeeded');
      state.log.info(
        { replies: rows.length, messages: pending.length, followUps: state.delivered.size },
        'run committed',
      );
      return 'answered';
    } catch (error) {
      const reason = state.abort.signal.reason;
      if (error instanceof LeaseLostError || reason instanceof LeaseLostError) {
        // Another run owns the thread now; it will answer. Nothing of ours is committed.
        observe('fenced');
        await finishRun(db, run.id, 'fenced', (error as Error).message, state.tokens);
        state.log.warn('lease lost; run discarded');
        return 'fenced';
      }
      if (reason instanceof WorkerStoppingError) {
        observe('handed_back');
        await finishRun(db, run.id, 'failed', reason.message, state.tokens).catch(() => {});
        state.log.warn('worker stopping: run handed back to the queue');
        await job.moveToDelayed(Date.now(), job.token);
        throw new DelayedError();
      }
      if (isDatabaseUnavailable(error) || state.storageError) {
        // Not the run's fault, and nothing was committed: the job tries again (#outageSafe).
        observe('failed');
        await finishRun(db, run.id, 'failed', (error as Error).message, state.tokens).catch(
          () => {},
        );
        throw isDatabaseUnavailable(error) ? error : state.storageError;
      }
      const cause = reason instanceof AgentProtocolError ? reason : error;
      const failure = classifyRunFailure(cause);
      const final = !failure.retryable || attempt >= (job.opts.attempts ?? DRAIN_ATTEMPTS);
      observe(
        reason instanceof AgentProtocolError && reason.code === 'cancelled'
          ? 'cancelled'
          : 'failed',
      );
      state.log.error({ err: cause, attempt, final }, 'run failed');
      if (!final) {
        await finishRun(db, run.id, 'failed', (cause as Error).message, state.tokens);
        throw cause;
      }
      await planned.onFailed?.(cause as Error, run.id);
      await this.#tellFailure(
        state,
        cause as Error,
        failure.notice,
        failure.advanceCursor && planned.trigger === 'message',
        attempt,
      );
      throw failure.retryable ? cause : new UnrecoverableError((cause as Error).message);
    } finally {
      clearInterval(renewal);
      this.#live.delete(state);
    }
  }

  /**
   * The thread's daily token budget: when spent, no run starts; the thread is told once a
   * day and the messages count as seen (they stay history for tomorrow's runs).
   */
  async #overBudget(
    lease: ThreadLease,
    thread: Thread,
    pending: Message[],
    config: BehaviourConfig,
    log: Logger,
  ): Promise<boolean> {
    const budget = config.daily_token_budget;
    if (budget <= 0) return false;
    const used = await tokensUsedToday(this.#o.db, thread.id, config.timezone);
    if (used < budget) return false;
    const day = await todayIn(this.#o.db, config.timezone);
    const notice =
      thread.budget_notice_on === day
        ? null
        : {
            day,
            text: `I have used today's token budget for this chat (${used} of ${budget} tokens), so I will answer again tomorrow.`,
          };
    const rows = await commitSkippedDrain(this.#o.db, lease, {
      channel: thread.channel,
      jid: thread.jid,
      cursor: pending.at(-1)?.id ?? thread.cursor,
      notice,
    });
    await this.#enqueue(thread.channel, rows);
    log.info({ used, budget, told: notice !== null }, 'daily token budget spent; no run');
    return true;
  }

  /** Tells the thread once and moves its cursor past the run; a stop is a cancel, not a failure. */
  async #tellFailure(
    state: RunState,
    error: Error,
    notice: string,
    advanceCursor: boolean,
    attempts: number,
  ): Promise<void> {
    const cancelled = error instanceof AgentProtocolError && error.code === 'cancelled';
    const rows = await commitFailure(this.#o.db, {
      ...state.target,
      advanceCursor,
      cursor: state.pending.at(-1)?.id ?? state.thread.cursor,
      error: error.message,
      notice,
      status: cancelled ? 'cancelled' : 'failed',
      tokens: state.tokens,
      // Skipped, not answered: kept so an operator can retry them (a stop is not a failure).
      ...(!cancelled && {
        deadLetter: {
          afterCursor: state.thread.cursor,
          messages: state.pending.length,
          attempts,
        },
      }),
    }).catch(async (commitError: Error) => {
      await finishRun(this.#o.db, state.target.runId, 'failed', error.message, state.tokens);
      state.log.error({ err: commitError }, 'could not record the failure');
      return [];
    });
    await this.#enqueue(state.thread.channel, rows);
  }

  /** History and memory the agent starts with. */
  async #loadContext(
    thread: Thread,
    config: BehaviourConfig,
    isolated: boolean,
  ): Promise<AgentContext> {
    const { db } = this.#o;
    const [history, threadMemory, globalMemory] = await Promise.all([
      isolated ? [] : historyBefore(db, thread.id, thread.cursor, config.history_limit),
      listMemories(db, thread.id),
      listMemories(db, null),
    ]);
    return { history, threadMemory, globalMemory };
  }

  async #runAgent(
    state: RunState,
    runId: number,
    { history, threadMemory, globalMemory }: AgentContext,
    listen: (handler: (event: ThreadEvent) => void) => void,
  ): Promise<RunFinishParams> {
    const { db } = this.#o;
    const { thread, pending, config } = state;
    const init = buildInit({
      trigger: state.trigger,
      assistantName: this.#o.assistantName,
      runId,
      thread,
      config,
      pending,
      history,
      memory: {
        thread: threadMemory.map((m) => m.content),
        global: globalMemory.map((m) => m.content),
      },
      approvals: state.decisions,
    });
    const lastLoaded = pending.at(-1)?.id ?? thread.cursor;
    const limits = threadLimits(this.#o.limits, config.sandbox);
    // A warm agent may have died since its last run: then try once more with a fresh one.
    for (let tries = 0; ; tries++) {
      const { agent, reused } = await this.#o.launcher.launch(thread, runId, config, limits);
      // Bookkeeping only: the run does not wait for it.
      void db
        .updateTable('agent_runs')
        .set({ container: agent.id })
        .where('id', '=', runId)
        .execute()
        .catch((error: Error) => state.log.warn({ err: error }, 'could not record the agent id'));
      const session = new AgentSession({
        agent,
        init,
        keepAlive: true,
        timeoutMs: limits.timeoutMs,
        logger: state.log.child({ component: 'agent', agent: agent.id.slice(0, 12), reused }),
        signal: state.abort.signal,
        handlers: noticingOutages(state, {
          ...agentRequestHandlers({
            db,
            thread: state.thread,
            config,
            announceTaskChange: (taskId) => this.#o.queues.announceTaskChange(taskId),
          }),
          ...runRequestHandlers({
            db,
            llm: this.#o.llm,
            state,
            runId,
            enqueue: (rows) => this.#enqueue(state.thread.channel, rows),
            ...(this.#o.withheldTools && { withheldTools: this.#o.withheldTools }),
          }),
        }),
      });
      listen((event) => {
        if (event.type === 'stop') {
          state.abort.abort(
            new AgentProtocolError('cancelled', `${event.by} asked to stop this run`),
          );
        } else if (event.message.id > lastLoaded && !state.delivered.has(event.message.id)) {
          state.delivered.add(event.message.id);
          session.sendInput(event.message);
        }
      });
      try {
        const finish = await session.run();
        await this.#o.launcher.release(thread.id, agent, session.reusable);
        return finish;
      } catch (error) {
        await this.#o.launcher.release(thread.id, agent, false);
        const stale =
          reused && tries === 0 && error instanceof AgentProtocolError && error.code === 'exited';
        if (!stale || state.abort.signal.aborted) throw error;
        state.log.warn('warm agent was gone; starting a fresh one');
      }
    }
  }

  /** Enqueues deliveries; while Redis is away they are retried (the rows stay pending). */
  async #enqueue(channel: string, rows: Array<{ id: number; thread_id: number }>): Promise<void> {
    for (const row of rows) await this.#deliveries.enqueue(channel, row.id, row.thread_id);
  }

  /** Stops retrying parked deliveries (they stay pending in Postgres for the sweeper). */
  stop(): void {
    this.#deliveries.stop();
  }
}

/**
 * The agent's request handlers, each noting in `state` when it failed because Postgres was
 * away (the agent then sees an error and may give up, but the run is not its fault).
 */
function noticingOutages(state: RunState, handlers: AgentRequestHandlers): AgentRequestHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([method, handle]) => [
      method,
      async (params: unknown) => {
        try {
          return await handle!(params);
        } catch (error) {
          if (isDatabaseUnavailable(error)) state.storageError ??= error as Error;
          throw error;
        }
      },
    ]),
  );
}

/** A job's payload, checked: no retry can make a malformed one valid, so it fails at once. */
function parseJob<T>(schema: z.ZodType<T>, job: Job, kind: string): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(
      `malformed ${kind} job ${job.id ?? ''}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** The platform id of the newest triggering message: the reply answers it. */
function lastTrigger(pending: Message[]): string | null {
  return pending.filter((m) => m.triggers).at(-1)?.platform_message_id ?? null;
}

/**
 * The cursor after a run: past every loaded message, and past the follow-ups the agent says
 * it answered (only ones actually delivered to it count).
 */
function consumedCursor(
  cursor: number,
  pending: Message[],
  finish: RunFinishParams,
  delivered: Set<number>,
): number {
  const loaded = pending.at(-1)?.id ?? cursor;
  const claimed = finish.lastInputId;
  return claimed != null && delivered.has(claimed) ? Math.max(loaded, claimed) : loaded;
}
