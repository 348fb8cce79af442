import type { DraftSurface, TypingIndicator } from '@gridbot/channels';
import { asJid } from '@gridbot/core';
import { type PipelineQueues, RUN_HEARTBEAT_MS, type RunActivity } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';

/** A heartbeat this much early still renews the typing state (timers drift). */
const EARLY_SLACK_MS = 500;

interface LiveRun {
  jid: string;
  lastShownAt: number;
  until: number;
  /** Whether a draft of its reply is showing. */
  drafted?: boolean;
}

export interface TypingRelayOptions {
  channel: string;
  typing: TypingIndicator;
  /** Where the platform shows a reply being written, if it does. */
  drafts?: DraftSurface;
  queues: Pick<PipelineQueues, 'subscribeRunActivity'>;
  logger: Logger;
  now?: () => number;
}

/**
 * Shows the platform's typing state in a chat while a run works there: each heartbeat of
 * the run (see `RunBeacon`) renews it at the platform's pace, `done` clears it, and nothing
 * renews it past the run's ceiling. No heartbeat, no typing: a run that died with its
 * worker stops showing within one heartbeat. Failures are logged at debug: typing is a
 * courtesy, never a reason to fail.
 */
export class TypingRelay {
  readonly #o: TypingRelayOptions;
  readonly #runs = new Map<number, LiveRun>();
  /** Chats shown typing for a message that triggered a run not started yet. */
  readonly #acknowledged = new Map<string, number>();
  #unsubscribe: (() => Promise<void>) | null = null;

  constructor(options: TypingRelayOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#o.queues.subscribeRunActivity(this.#o.channel, (activity) =>
      this.#on(activity),
    );
  }

  /**
   * A message in `jid` just triggered a run: shows typing at once, the first sign the
   * person sees, before a worker has even picked the run up. The run's first heartbeat
   * within the platform's interval does not show it again.
   */
  acknowledge(jid: string): void {
    if (this.#unsubscribe === null) return;
    this.#acknowledged.set(jid, (this.#o.now ?? Date.now)());
    if (this.#acknowledged.size > 1000) {
      const oldest = this.#acknowledged.keys().next().value;
      if (oldest !== undefined) this.#acknowledged.delete(oldest);
    }
    this.#call(jid, this.#o.typing.show);
  }

  async stop(): Promise<void> {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = null;
    this.#runs.clear();
    this.#acknowledged.clear();
    await unsubscribe?.();
  }

  #on(activity: RunActivity): void {
    const now = (this.#o.now ?? Date.now)();
    const { typing } = this.#o;
    if (activity.state === 'done') {
      const run = this.#runs.get(activity.runId);
      this.#runs.delete(activity.runId);
      if (run && typing.clear) this.#call(run.jid, typing.clear);
      if (run?.drafted && this.#o.drafts) this.#call(run.jid, this.#o.drafts.end);
      return;
    }
    if (activity.state === 'draft' && activity.text && now < activity.until && this.#o.drafts) {
      const { drafts } = this.#o;
      const text = activity.text;
      this.#call(activity.jid, (jid) => drafts.show(jid, text));
      const run = this.#runs.get(activity.runId);
      if (run) run.drafted = true;
      else
        this.#runs.set(activity.runId, {
          jid: activity.jid,
          lastShownAt: now,
          until: activity.until,
          drafted: true,
        });
      return;
    }
    this.#forgetLapsed(now);
    if (now >= activity.until) {
      this.#runs.delete(activity.runId);
      return;
    }
    const run = this.#runs.get(activity.runId);
    const shownAt = run?.lastShownAt ?? this.#acknowledged.get(activity.jid);
    this.#acknowledged.delete(activity.jid);
    // Renewed at the platform's pace, or early when waiting for the next heartbeat would
    // let it lapse (heartbeats need not be in step with the first sign).
    const early = shownAt !== undefined && now - shownAt < typing.intervalMs - EARLY_SLACK_MS;
    const nextInTime =
      shownAt !== undefined &&
      now + RUN_HEARTBEAT_MS <= shownAt + typing.intervalMs + EARLY_SLACK_MS;
    if (early && nextInTime) {
      if (!run)
        this.#runs.set(activity.runId, {
          jid: activity.jid,
          lastShownAt: shownAt,
          until: activity.until,
        });
      return;
    }
    this.#runs.set(activity.runId, { jid: activity.jid, lastShownAt: now, until: activity.until });
    this.#call(activity.jid, typing.show);
  }

  /** Runs whose heartbeats stopped (their worker died) or whose ceiling passed. */
  #forgetLapsed(now: number): void {
    for (const [runId, run] of this.#runs) {
      if (now >= run.until || now - run.lastShownAt > 4 * this.#o.typing.intervalMs)
        this.#runs.delete(runId);
    }
  }

  #call(jid: string, action: (jid: ReturnType<typeof asJid>) => Promise<void>): void {
    void action(asJid(jid)).catch((error: Error) =>
      this.#o.logger.debug({ err: error, jid }, 'could not show the typing state'),
    );
  }
}
