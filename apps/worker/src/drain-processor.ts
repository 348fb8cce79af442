import { type BehaviourConfig, resolveBehaviour } from '@gridbot/core';
import {
  type Database,
  findTask,
  findUserById,
  type MemoryCap,
  type OutboxRow,
  startRun,
  type Thread,
  userLevel,
} from '@gridbot/db';
import type { LlmProvider } from '@gridbot/llm';
import {
  drainJobSchema,
  type PipelineQueues,
  type ThreadEventHub,
  taskJobSchema,
} from '@gridbot/queue';
import type { ArtifactStore, Logger, ServiceMetrics } from '@gridbot/service';
import { inSpan, inTrace, SpanKind } from '@gridbot/telemetry';
import { DelayedError, type Job } from 'bullmq';
import type { Kysely } from 'kysely';
import type { AgentLauncher } from './agent-launcher.ts';
import { type AgentRunDeps, loadAgentContext, runAgent } from './agent-run.ts';
import { BudgetGate } from './budget-gate.ts';
import { BUSY, type HeldThread, LeaseScope } from './lease-scope.ts';
import { planMessages } from './message-plan.ts';
import { outageSafe } from './outage-safe.ts';
import { ParkedDeliveries } from './parked-deliveries.ts';
import { parseJob } from './parse-job.ts';
import { RunBeacon } from './run-beacon.ts';
import { type Outcome, RunOutcomes } from './run-outcome.ts';
import type { Planner } from './run-plan.ts';
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
  /** Most tasks (active or paused) an agent may give one thread; default 20. */
  maxTasksPerThread?: number;
  /** Shortest gap between firings of a non-main thread's tasks; default 60 s, 0 = any. */
  minTaskIntervalMs?: number;
  /** The most one memory may hold; default 200 entries and 64 KiB. */
  memoryCap?: MemoryCap;
  /** The operator's ceiling; a thread's config may only tighten it. */
  limits: OperatorLimits;
  /** Where the gateways keep people's images (`$DATA_DIR/artifacts`). */
  artifactStore?: ArtifactStore;
  /** Least time between two drafts of a streamed reply; 0: replies are not streamed. Default 1 s. */
  draftIntervalMs?: number;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** How long a job whose thread is leased elsewhere waits before trying again. */
const LEASE_BUSY_DELAY_MS = 1_000;

/**
 * Design steps 4–5 for the two job kinds, a drain (answer the thread's new messages) and a
 * task firing: under the thread's lease ({@link LeaseScope}), plan the run
 * (`planMessages`, `planTask`, both behind the {@link BudgetGate}), run the agent
 * (`runAgent`), and end the run ({@link RunOutcomes}: commit, retry, or tell the thread).
 */
export class DrainProcessor {
  readonly #o: DrainProcessorOptions;
  readonly #leases: LeaseScope;
  readonly #budget: BudgetGate;
  readonly #outcomes: RunOutcomes;
  readonly #agents: AgentRunDeps;
  /** The runs in flight, so a stopping worker can hand them back. */
  readonly #live = new Set<RunState>();
  /** Deliveries committed while Redis was away, enqueued as soon as it is back. */
  readonly #deliveries: ParkedDeliveries;

  constructor(options: DrainProcessorOptions) {
    this.#o = options;
    const { db, logger } = options;
    this.#deliveries = new ParkedDeliveries(
      options.queues,
      logger.child({ component: 'deliveries' }),
    );
    const enqueue = (channel: string, rows: OutboxRow[]) =>
      this.#deliveries.enqueueRows(channel, rows);
    this.#leases = new LeaseScope(options);
    this.#budget = new BudgetGate({ db, enqueue });
    this.#outcomes = new RunOutcomes({ db, enqueue });
    this.#agents = { ...options, enqueue };
  }

  /** A drain job: answer the thread's new messages. */
  process(job: Job, token?: string): Promise<string> {
    const { threadId, trace } = parseJob(drainJobSchema, job, 'drain');
    const attributes = { 'gridbot.thread_id': threadId, 'gridbot.job_id': job.id ?? '' };
    return inTrace(trace, () =>
      inSpan('gridbot.run', { kind: SpanKind.CONSUMER, attributes }, (span) =>
        outageSafe(job, token, this.#o.logger, () =>
          this.#leased(job, token, threadId, (thread, configFor, lease, log) =>
            planMessages({
              db: this.#o.db,
              thread,
              configFor,
              skip: (pending, config) => this.#budget.spent(lease, thread, pending, config, log),
              drainAgain: () => this.#o.queues.enqueueDrain(thread.id),
            }),
          ),
        ).then((result) => {
          span.setAttribute('gridbot.result', result);
          return result;
        }),
      ),
    );
  }

  /** A task firing: run the task's prompt in its thread (see `planTask`). */
  processTask(job: Job, token?: string): Promise<string> {
    const { taskId, slot } = parseJob(taskJobSchema, job, 'task');
    const attributes = { 'gridbot.task_id': taskId, 'gridbot.job_id': job.id ?? '' };
    return inSpan('gridbot.task', { kind: SpanKind.CONSUMER, attributes }, () =>
      this.#task(job, token, taskId, slot),
    );
  }

  #task(job: Job, token: string | undefined, taskId: number, slot?: number): Promise<string> {
    return outageSafe(job, token, this.#o.logger, async () => {
      const task = await findTask(this.#o.db, taskId);
      if (!task) return 'task gone';
      const firedFor = slot ?? job.opts.prevMillis ?? job.timestamp;
      return this.#leased(job, token, task.thread_id, async (thread, configFor, lease, log) =>
        planTask({
          misfireGraceMs: this.#o.misfireGraceMs ?? MISFIRE_GRACE_MS,
          db: this.#o.db,
          task,
          slot: firedFor,
          thread,
          // A task runs as its owner's run did: the thread's settings over their defaults.
          config: await configFor(task.owner_user_id),
          log,
          skip: (pending, config) => this.#budget.spent(lease, thread, pending, config, log),
        }),
      );
    });
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

  /** Stops retrying parked deliveries (they stay pending in Postgres for the sweeper). */
  stop(): void {
    this.#deliveries.stop();
  }

  /** Plans and runs under the thread's lease; a thread leased elsewhere is tried again shortly. */
  async #leased(
    job: Job,
    token: string | undefined,
    threadId: number,
    plan: Planner,
  ): Promise<string> {
    const log = this.#o.logger.child({ threadId, jobId: job.id });
    const result = await this.#leases.hold(threadId, log, (held) => this.#run(job, held, plan));
    if (result !== BUSY) return result;
    // Another run holds the thread (e.g. a stalled job handed over): try again shortly.
    await job.moveToDelayed(Date.now() + LEASE_BUSY_DELAY_MS, token);
    throw new DelayedError();
  }

  /** The thread's effective settings with the given person's defaults (see `resolveBehaviour`). */
  async #configFor(thread: Thread, userId: number | null): Promise<BehaviourConfig> {
    const user = userId === null ? undefined : await findUserById(this.#o.db, userId);
    return resolveBehaviour({
      global: this.#o.globalConfig,
      user: userLevel(user),
      thread: { config: thread.config, isGroup: thread.is_group },
    }).config;
  }

  async #run(job: Job, held: HeldThread, plan: Planner): Promise<string> {
    const { db } = this.#o;
    const { lease, thread, log } = held;
    if (!thread?.registered) return 'thread not registered';
    const planned = await plan(thread, (userId) => this.#configFor(thread, userId), lease, log);
    if (typeof planned === 'string') return planned;
    const { config } = planned;

    // The agent's context loads while the run is recorded (separate pool connections).
    const context = loadAgentContext(db, { thread, config, isolated: planned.isolated });
    context.catch(() => {}); // awaited below; a failure there fails the run
    const run = await startRun(db, {
      threadId: thread.id,
      trigger: planned.trigger,
      worker: this.#o.workerId,
      jobId: job.id ?? null,
      attempt: job.attemptsMade + 1,
      leaseToken: lease.token,
    });
    const state: RunState = {
      thread,
      decisions: planned.decisions,
      awaitingApproval: null,
      providerError: null,
      storageError: null,
      config,
      userId: planned.userId,
      pending: planned.pending,
      target: { lease, runId: run.id, channel: thread.channel, jid: thread.jid },
      tokens: { input: 0, output: 0 },
      modelCalls: 0,
      abort: new AbortController(),
      delivered: new Set(),
      trigger: planned.trigger,
      isolated: planned.isolated,
      log: log.child({ runId: run.id }),
    };
    const forwardLoss = () => state.abort.abort(held.lost.reason);
    if (held.lost.aborted) forwardLoss();
    else held.lost.addEventListener('abort', forwardLoss, { once: true });
    this.#live.add(state);
    // The chat shows typing while the run lives (see RunBeacon).
    const beacon = new RunBeacon(
      this.#o.queues,
      {
        runId: run.id,
        threadId: thread.id,
        channel: thread.channel,
        jid: thread.jid,
        timeoutMs: threadLimits(this.#o.limits, config.sandbox).timeoutMs,
        draftIntervalMs: this.#o.draftIntervalMs ?? 1_000,
      },
      state.log,
    );
    beacon.start();
    if ((this.#o.draftIntervalMs ?? 1_000) > 0) state.draft = (text) => beacon.draft(text);
    const started = performance.now();
    const observe = (outcome: Outcome) =>
      this.#o.metrics.runDuration.observe({ outcome }, (performance.now() - started) / 1000);
    try {
      const finish = await runAgent(this.#agents, state, await context, held.listen);
      // Typing ends before the reply is committed, so it never shows after the reply.
      beacon.stop();
      return await this.#outcomes.finished(state, planned, finish, observe);
    } catch (error) {
      beacon.stop();
      return await this.#outcomes.failed(job, state, planned, error, observe);
    } finally {
      beacon.stop();
      held.lost.removeEventListener('abort', forwardLoss);
      this.#live.delete(state);
    }
  }
}
