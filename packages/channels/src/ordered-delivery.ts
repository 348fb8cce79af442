import { abortableSleep as sleep } from './abortable-sleep.ts';

/** How often, and how patiently, a failing delivery is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included (at least 1). */
  attempts: number;
  /** Pause after the first failure; it doubles after each further one. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Called after each failed attempt; `retryInMs` is null when no attempt is left. */
export type FailureReport = (error: unknown, attempt: number, retryInMs: number | null) => void;

/**
 * A queue that runs async tasks one at a time, in the order they were added, so a slow
 * ingress commit can never let a later message overtake an earlier one. `retry` runs a
 * task again after a failure, with doubling pauses that `close()` cuts short.
 */
export class OrderedDelivery {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #closed = new AbortController();

  /** Runs `task` once every task added before it has settled; resolves or rejects with it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // The next task waits for this one whatever its outcome.
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Calls `attempt` until it resolves or `policy.attempts` calls have failed, pausing between
   * calls; reports each failure. Never rejects: resolves true once delivered, false when it
   * gave up or the queue was closed.
   */
  async retry(
    attempt: () => Promise<void>,
    policy: RetryPolicy,
    onFailure: FailureReport,
  ): Promise<boolean> {
    const attempts = Math.max(1, policy.attempts);
    for (let n = 1; ; n += 1) {
      try {
        await attempt();
        return true;
      } catch (error) {
        const last = n >= attempts || this.#closed.signal.aborted;
        const retryInMs = last
          ? null
          : Math.min(policy.initialDelayMs * 2 ** (n - 1), policy.maxDelayMs);
        onFailure(error, n, retryInMs);
        if (retryInMs === null) return false;
        await sleep(retryInMs, this.#closed.signal);
      }
    }
  }

  /**
   * Stops retrying (a pending pause ends at once and its task gives up after the attempt in
   * progress), then waits until every queued task has run. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#closed.abort();
    await this.#tail;
  }
}
