import { type PipelineQueues, RUN_HEARTBEAT_MS, type RunActivity } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';

export interface RunBeaconTarget {
  runId: number;
  threadId: number;
  channel: string;
  jid: string;
  /** The run's own timeout: past it the gateways show nothing, whatever arrives. */
  timeoutMs: number;
}

/**
 * Tells the run's channel that it is working: at once, every {@link RUN_HEARTBEAT_MS} while
 * it lives, and `done` at `stop()`. Best effort: a heartbeat that cannot be published is
 * logged at debug and the run goes on (the chat just shows no typing).
 */
export class RunBeacon {
  readonly #queues: Pick<PipelineQueues, 'publishRunActivity'>;
  readonly #target: RunBeaconTarget;
  readonly #log: Logger;
  readonly #until: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    queues: Pick<PipelineQueues, 'publishRunActivity'>,
    target: RunBeaconTarget,
    log: Logger,
  ) {
    this.#queues = queues;
    this.#target = target;
    this.#log = log;
    this.#until = Date.now() + target.timeoutMs;
  }

  start(): void {
    this.#publish('working');
    this.#timer = setInterval(() => this.#publish('working'), RUN_HEARTBEAT_MS);
    this.#timer.unref();
  }

  /** Stops the heartbeats and says the run is done; safe to call twice. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    this.#publish('done');
  }

  #publish(state: RunActivity['state']): void {
    const { runId, threadId, channel, jid } = this.#target;
    void this.#queues
      .publishRunActivity(channel, { state, runId, threadId, jid, until: this.#until })
      .catch((error: Error) =>
        this.#log.debug({ err: error }, 'could not publish the run heartbeat'),
      );
  }
}
