import { LeaseLostError, RunCancelledError, type RunFinishParams } from '@gridbot/core';
import {
  commitFailure,
  commitRun,
  type Database,
  finishRun,
  isDatabaseUnavailable,
  type Message,
  type OutboxRow,
} from '@gridbot/db';
import { DRAIN_ATTEMPTS } from '@gridbot/queue';
import { inSpan } from '@gridbot/telemetry';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Kysely } from 'kysely';
import { classifyRunFailure } from './run-failure.ts';
import type { RunPlan } from './run-plan.ts';
import type { RunState } from './run-state.ts';
import { WorkerStoppingError } from './worker-stopping-error.ts';

export interface RunOutcomeOptions {
  db: Kysely<Database>;
  /** Hands committed outbox rows to the channel's outbound queue. */
  enqueue: (channel: string, rows: OutboxRow[]) => Promise<void>;
}

/** How a run ended, for the run-duration metric. */
export type Outcome = 'succeeded' | 'fenced' | 'handed_back' | 'failed' | 'cancelled';

/**
 * How a run ends, in one place: the commit of a finished run (replies, cursor, run row,
 * approvals handed over), and for a failed one the choice between discarding it (lease
 * lost), handing it back (worker stopping), retrying it (a failure a retry could fix, or
 * Postgres away) and telling the thread in one line. The cursor rules live here too: a run
 * consumes its loaded messages and the follow-ups it says it answered; a failure moves the
 * cursor only when the fault was the run's (see `classifyRunFailure`).
 */
export class RunOutcomes {
  readonly #o: RunOutcomeOptions;

  constructor(options: RunOutcomeOptions) {
    this.#o = options;
  }

  /** Commits what the agent finished with; throws when the run must count as failed. */
  async finished(
    state: RunState,
    planned: RunPlan,
    finish: RunFinishParams,
    observe: (outcome: Outcome) => void,
  ): Promise<string> {
    // The provider's failure, not the agent's reaction to it, is what the thread hears about.
    if (state.providerError) throw state.providerError;
    if (state.storageError) throw state.storageError;
    if (finish.status === 'error')
      throw new Error(`agent reported an error: ${finish.error ?? 'no detail'}`);
    const { pending, thread } = state;
    const attributes = { 'gridbot.run_id': state.target.runId };
    // The replies' delivery jobs are enqueued inside the commit's span: they carry its trace.
    const rows = await inSpan('gridbot.commit', { attributes }, async (span) => {
      const rows = await commitRun(this.#o.db, {
        ...state.target,
        replies: finish.reply ? [{ text: finish.reply, replyTo: lastTrigger(pending) }] : [],
        cursor: consumedCursor(thread.cursor, pending, finish, state.delivered),
        tokens: state.tokens,
        status: state.awaitingApproval === null ? 'succeeded' : 'awaiting_approval',
        deliveredApprovalIds: state.decisions.map((d) => d.id),
      });
      span.setAttribute('gridbot.replies', rows.length);
      await this.#o.enqueue(thread.channel, rows);
      return rows;
    });
    await planned.onCommitted?.(finish.reply, state.target.runId);
    observe('succeeded');
    state.log.info(
      { replies: rows.length, messages: pending.length, followUps: state.delivered.size },
      'run committed',
    );
    return 'answered';
  }

  /**
   * A run that threw: returns `fenced` when its lease was lost (nothing of it is committed),
   * else rethrows for the queue — delayed without an attempt when the worker is stopping or
   * Postgres is away, retried when a retry could help, and final (the thread told) otherwise.
   */
  async failed(
    job: Job,
    state: RunState,
    planned: RunPlan,
    error: unknown,
    observe: (outcome: Outcome) => void,
  ): Promise<string> {
    const { db } = this.#o;
    const runId = state.target.runId;
    const reason = state.abort.signal.reason;
    if (error instanceof LeaseLostError || reason instanceof LeaseLostError) {
      // Another run owns the thread now; it will answer. Nothing of ours is committed.
      observe('fenced');
      await finishRun(db, runId, 'fenced', (error as Error).message, state.tokens);
      state.log.warn('lease lost; run discarded');
      return 'fenced';
    }
    if (reason instanceof WorkerStoppingError) {
      observe('handed_back');
      await finishRun(db, runId, 'failed', reason.message, state.tokens).catch(() => {});
      state.log.warn('worker stopping: run handed back to the queue');
      await job.moveToDelayed(Date.now(), job.token);
      throw new DelayedError();
    }
    if (isDatabaseUnavailable(error) || state.storageError) {
      // Not the run's fault, and nothing was committed: the job tries again once it is back.
      observe('failed');
      await finishRun(db, runId, 'failed', (error as Error).message, state.tokens).catch(() => {});
      throw isDatabaseUnavailable(error) ? error : state.storageError;
    }
    // Whoever aborts a run passes the error that ends it (/stop, a limit): that is the cause,
    // not the agent's `aborted` that follows from it.
    const cause = (state.abort.signal.aborted && reason instanceof Error ? reason : error) as Error;
    const failure = classifyRunFailure(cause, runId);
    const attempt = job.attemptsMade + 1;
    const final = !failure.retryable || attempt >= (job.opts.attempts ?? DRAIN_ATTEMPTS);
    observe(cause instanceof RunCancelledError ? 'cancelled' : 'failed');
    state.log.error({ err: cause, attempt, final }, 'run failed');
    if (!final) {
      await finishRun(db, runId, 'failed', cause.message, state.tokens);
      throw cause;
    }
    await planned.onFailed?.(cause, runId);
    await this.#tellFailure(
      state,
      cause,
      failure.notice,
      failure.advanceCursor && planned.trigger === 'message',
      attempt,
    );
    throw failure.retryable ? cause : new UnrecoverableError(cause.message);
  }

  /** Tells the thread once and moves its cursor past the run; a stop is a cancel, not a failure. */
  async #tellFailure(
    state: RunState,
    error: Error,
    notice: string,
    advanceCursor: boolean,
    attempts: number,
  ): Promise<void> {
    const cancelled = error instanceof RunCancelledError;
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
    await this.#o.enqueue(state.thread.channel, rows);
  }
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
