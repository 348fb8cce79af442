import type { Logger } from 'pino';
import type { ReceiveLease } from './receive-lease.ts';

/** A running receiver (a polling loop, a socket): stopped when the lease is lost or on stop. */
export interface Receiver {
  /** Stops receiving, after acknowledging what was delivered. */
  stop(): Promise<void>;
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/**
 * Receives only while holding `lease`: waits for it, starts the receiver, stops it the
 * moment the lease is lost and waits for the lease again; `stop()` stops the receiver
 * first (its last acknowledgements sent) and then releases the lease, so a standby
 * starts from what this one acknowledged.
 */
export class LeasedReceiver {
  readonly #stop = new AbortController();
  readonly #loop: Promise<void>;

  constructor(lease: ReceiveLease, start: () => Receiver, logger: Logger) {
    this.#loop = this.#run(lease, start, logger).catch((error: unknown) => {
      logger.fatal({ err: error, lease: lease.name }, 'the leased receiver crashed');
    });
  }

  async #run(lease: ReceiveLease, start: () => Receiver, logger: Logger): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      const held = await lease.acquire(stop);
      if (held === null) return;
      logger.info({ lease: lease.name }, 'this gateway holds the receive lease: receiving');
      const receiver = start();
      await Promise.race([aborted(stop), aborted(held.lost)]);
      await receiver.stop();
      if (stop.aborted) {
        await held.release();
        return;
      }
    }
  }

  /** Stops receiving and lets the lease go. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }
}
