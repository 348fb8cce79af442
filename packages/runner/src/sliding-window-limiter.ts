/**
 * Allows at most `max` events in any `windowMs` window; pure apart from the injected clock.
 * Kept by hand rather than rate-limiter-flexible: its in-memory limiter counts fixed windows
 * of whole seconds (a burst across a boundary passes twice the limit) and answers through a
 * promise, where this guard must decide synchronously, per agent request, in a few lines.
 */
export class SlidingWindowLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #times: number[] = [];

  constructor(options: { max: number; windowMs: number; now?: () => number }) {
    this.#max = options.max;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  /** Records an event and returns true, or returns false (recording nothing) if over the limit. */
  tryTake(): boolean {
    const now = this.#now();
    this.#times = this.#times.filter((time) => now - time < this.#windowMs);
    if (this.#times.length >= this.#max) return false;
    this.#times.push(now);
    return true;
  }
}
