import pTimeout from 'p-timeout';
import type { Logger } from 'pino';
import { onStopSignal } from './stop-signals.ts';

type Step = { name: string; run: () => Promise<void> | void };

/**
 * Stops a process's parts in reverse order of start: each step in its own try/catch so one
 * failure does not skip the rest, the whole bounded in time, safe to call twice.
 */
export class Shutdown {
  readonly #steps: Step[] = [];
  readonly #logger: Logger;
  #stopping: Promise<void> | null = null;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Registers a step; steps run last-added first. */
  add(name: string, run: () => Promise<void> | void): void {
    this.#steps.push({ name, run });
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  stop(timeoutMs: number): Promise<void> {
    this.#stopping ??= this.#run(timeoutMs);
    return this.#stopping;
  }

  async #run(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const step of [...this.#steps].reverse()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#logger.warn(
          { step: step.name },
          'shutdown deadline passed; skipping remaining steps',
        );
        break;
      }
      try {
        await pTimeout(Promise.resolve().then(step.run), {
          milliseconds: left,
          message: `did not finish within ${left} ms`,
        });
      } catch (error) {
        this.#logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
  }

  /**
   * SIGTERM and SIGINT stop the process gracefully, then exit; a second signal exits at once.
   * Signals reach here once the process listens for them (`listenForStopSignals`).
   */
  installSignalHandlers(timeoutMs: number, exit: (code: number) => void = process.exit): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.#stopping) {
        this.#logger.warn({ signal }, 'second signal: exiting now');
        exit(1);
        return;
      }
      this.#logger.info({ signal }, 'stopping');
      void this.stop(timeoutMs).then(() => {
        this.#logger.info('stopped');
        exit(0);
      });
    };
    onStopSignal(onSignal);
  }
}
