import { abortableSleep as sleep } from './abortable-sleep.ts';
import { KeyedOrder } from './keyed-order.ts';

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
 * Delivery for a platform that pushes events and never redelivers them (the Discord
 * gateway): tasks of one key (a chat) run one at a time in the order they were added, so a
 * slow ingress commit never lets a later message of that chat overtake an earlier one,
 * while other chats go on. `retry` runs a task again after a failure, with doubling pauses
 * that `close()` cuts short.
 *
 * Hand-written rather than p-retry: p-retry (v9) rejects at once when its signal aborts
 * during a pause, where `close()` here lets the task make one last attempt, and it never
 * retries a `TypeError`, which would drop a message a retry could still commit.
 */
export class OrderedDelivery {
  readonly #order = new KeyedOrder();
  readonly #closed = new AbortController();

  /**
   * Runs `task` once every task added before it under `key` has settled; resolves or
   * rejects with it. Tasks of other keys do not wait for it.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.#order.run(key, task);
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
   * {@link retry} of `attempt` once every task added before it under `key` has settled: one
   * platform event, in its chat's order. Resolves true once delivered, false when it gave up.
   */
  deliver(
    key: string,
    attempt: () => Promise<void>,
    policy: RetryPolicy,
    onFailure: FailureReport,
  ): Promise<boolean> {
    return this.run(key, () => this.retry(attempt, policy, onFailure));
  }

  /**
   * Stops retrying (a pending pause ends at once and its task gives up after the attempt in
   * progress), then waits until every queued task of every key has run. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#closed.abort();
    await this.#order.idle();
  }
}
