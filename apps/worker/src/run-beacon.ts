import {
  cutToBytes,
  type PipelineQueues,
  RUN_HEARTBEAT_MS,
  type RunActivity,
} from '@gridbot/queue';
import type { Logger } from '@gridbot/service';

export interface RunBeaconTarget {
  runId: number;
  threadId: number;
  channel: string;
  jid: string;
  /** The run's own timeout: past it the gateways show nothing, whatever arrives. */
  timeoutMs: number;
  /** Least time between two drafts (the reply so far); 0: no drafts. Default 1 s. */
  draftIntervalMs?: number;
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
  /** The newest draft not published yet, and when the last one went. */
  #draft: string | null = null;
  #draftSentAt = 0;
  #draftTimer: NodeJS.Timeout | null = null;

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

  /**
   * The reply as the model writes it so far: published at most once per
   * `draftIntervalMs` (the newest text wins; the last one goes out after the pause).
   */
  draft(text: string): void {
    const interval = this.#target.draftIntervalMs ?? 1_000;
    if (this.#timer === null || interval <= 0 || text.trim() === '') return;
    this.#draft = text;
    if (this.#draftTimer !== null) return;
    const wait = this.#draftSentAt + interval - Date.now();
    const send = () => {
      this.#draftTimer = null;
      if (this.#draft === null || this.#timer === null) return;
      this.#draftSentAt = Date.now();
      this.#publish('draft', cutToBytes(this.#draft));
      this.#draft = null;
    };
    if (wait <= 0) send();
    else {
      this.#draftTimer = setTimeout(send, wait);
      this.#draftTimer.unref();
    }
  }

  /** Stops the heartbeats and drafts and says the run is done; safe to call twice. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    if (this.#draftTimer !== null) clearTimeout(this.#draftTimer);
    this.#draftTimer = null;
    this.#publish('done');
  }

  #publish(state: RunActivity['state'], text?: string): void {
    const { runId, threadId, channel, jid } = this.#target;
    void this.#queues
      .publishRunActivity(channel, {
        state,
        runId,
        threadId,
        jid,
        until: this.#until,
        ...(text !== undefined && { text }),
      })
      .catch((error: Error) =>
        this.#log.debug({ err: error }, 'could not publish the run heartbeat'),
      );
  }
}
