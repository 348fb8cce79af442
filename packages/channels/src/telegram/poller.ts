import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { abortableSleep as sleep } from '../abortable-sleep.ts';

/** Options of a {@link TelegramPoller}. */
export interface TelegramPollerOptions {
  api: Api;
  /** Delivers one update; resolves once it is committed, throws to have it retried. */
  deliver: (update: unknown) => Promise<void>;
  logger: Logger;
  /** Long-polling timeout Telegram waits server-side for new updates. */
  pollTimeoutSec: number;
  /** Pause after an empty `getUpdates` (0 with real long polling). */
  emptyPollDelayMs: number;
  /** Backoff after a failure: doubles from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * grammY types its signals with the `abort-controller` polyfill; at run time it accepts any
 * object with `addEventListener`, such as Node's own `AbortSignal`.
 */
type GrammySignal = Parameters<Api['getUpdates']>[1];
const toGrammy = (signal: AbortSignal): GrammySignal => signal as unknown as GrammySignal;

/** The update types GridBot asks Telegram for. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;
const CONFIRM_TIMEOUT_MS = 2_000;

const updateIdOf = (update: unknown): number | null => {
  const id = (update as { update_id?: unknown } | null)?.update_id;
  return Number.isSafeInteger(id) ? (id as number) : null;
};

/**
 * A `getUpdates` loop that acknowledges an update (moves the offset past it) only after
 * `deliver` resolved for it. An update whose delivery throws is retried, in order, with
 * backoff, until it succeeds or the poller stops; it is never skipped.
 *
 * Hand-written rather than @grammyjs/runner: the runner moves the offset past a batch as
 * soon as it is fetched, before the middleware ran ("the update offset is confirmed
 * prematurely", https://grammy.dev/advanced/reliability#grammy-runner), and passes a
 * failed update to the error handler instead of retrying it, so Telegram would count an
 * uncommitted update as received (telegram-test-api even forgets it once fetched).
 */
export class TelegramPoller {
  readonly #options: TelegramPollerOptions;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  /** Offset of the next `getUpdates`: one past the last delivered update. */
  #offset: number | undefined;
  /** Offset last sent to Telegram, i.e. already acknowledged there. */
  #confirmed: number | undefined;

  constructor(options: TelegramPollerOptions) {
    this.#options = options;
  }

  /** Starts the loop in the background. */
  start(): void {
    if (this.#loop !== null) return;
    this.#loop = this.#run().catch((error: unknown) => {
      this.#options.logger.fatal({ err: error }, 'telegram polling loop crashed');
    });
  }

  /**
   * Aborts the in-flight `getUpdates` and any backoff, waits for the update being delivered
   * (if any), then tells Telegram which updates were delivered. Safe to call twice.
   */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  #delay(attempt: number): number {
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 500, maxMs: 5_000 };
    return Math.min(initialMs * 2 ** (attempt - 1), maxMs);
  }

  async #run(): Promise<void> {
    const { api, logger, pollTimeoutSec, emptyPollDelayMs } = this.#options;
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let updates: unknown[];
      try {
        const offset = this.#offset;
        updates = await api.getUpdates(
          { offset, timeout: pollTimeoutSec, allowed_updates: [...ALLOWED_UPDATES] },
          toGrammy(signal),
        );
        if (!Array.isArray(updates)) throw new Error('getUpdates returned no array of updates');
        this.#confirmed = offset;
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const retryInMs = this.#delay(failures);
        logger.warn({ err: error, attempt: failures, retryInMs }, 'telegram getUpdates failed');
        await sleep(retryInMs, signal);
        continue;
      }
      if (updates.length === 0) {
        if (emptyPollDelayMs > 0) await sleep(emptyPollDelayMs, signal);
        continue;
      }
      for (const update of updates) {
        if (!(await this.#deliverUntilDone(update))) break;
        const id = updateIdOf(update);
        if (id !== null) this.#offset = Math.max(this.#offset ?? 0, id + 1);
      }
    }
    await this.#confirm();
  }

  /** Delivers one update, retrying with backoff; false if the poller stopped first. */
  async #deliverUntilDone(update: unknown): Promise<boolean> {
    const { deliver, logger } = this.#options;
    const signal = this.#abort.signal;
    for (let attempt = 1; !signal.aborted; attempt += 1) {
      try {
        await deliver(update);
        return true;
      } catch (error) {
        const retryInMs = this.#delay(attempt);
        logger.error(
          { err: error, updateId: updateIdOf(update), attempt, retryInMs },
          'ingress handler failed; the update stays unacknowledged and will be retried',
        );
        await sleep(retryInMs, signal);
      }
    }
    return false;
  }

  /** Acknowledges delivered updates to Telegram on the way out, so a restart skips them. */
  async #confirm(): Promise<void> {
    if (this.#offset === undefined || this.#offset === this.#confirmed) return;
    try {
      await this.#options.api.getUpdates(
        { offset: this.#offset, limit: 1, timeout: 0, allowed_updates: [...ALLOWED_UPDATES] },
        toGrammy(AbortSignal.timeout(CONFIRM_TIMEOUT_MS)),
      );
      this.#confirmed = this.#offset;
    } catch (error) {
      // Harmless: Telegram redelivers them and ingress inserts idempotently.
      this.#options.logger.warn({ err: error }, 'could not acknowledge the last updates on stop');
    }
  }
}
