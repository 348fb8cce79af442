import { LeaseLostError } from '@gridbot/core';
import {
  acquireLease,
  type Database,
  findThreadById,
  leaseHolder,
  releaseLease,
  renewLease,
  type Thread,
  type ThreadLease,
  takeOverLease,
} from '@gridbot/db';
import type { ThreadEvent, ThreadEventHub } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';

export interface LeaseScopeOptions {
  db: Kysely<Database>;
  /** Identifies this worker as lease owner. */
  workerId: string;
  leaseTtlMs: number;
  /** Whether a lease holder (a worker instance id) is still running; a dead one's lease is taken over. */
  isOwnerAlive?: (owner: string) => Promise<boolean>;
  /** Live thread events (follow-up messages, stop requests). */
  events: ThreadEventHub;
  logger: Logger;
}

/** A thread held under its lease, for the work done inside {@link LeaseScope.hold}. */
export interface HeldThread {
  lease: ThreadLease;
  /** The thread's row, read after the event subscription was up (undefined: deleted). */
  thread: Thread | undefined;
  log: Logger;
  /** Aborted with a {@link LeaseLostError} when a renewal finds the lease gone. */
  lost: AbortSignal;
  /**
   * Where the thread's live events go from now on; events that arrived since the lease was
   * taken are handed to `handler` at once, so no follow-up falls between load and run.
   */
  listen(handler: (event: ThreadEvent) => void): void;
}

/**
 * The thread leases of one worker: takes a thread's lease (or the lease of a holder known to
 * be dead), subscribes to the thread's events before anything is loaded, renews the lease
 * while the work runs and signals when it is lost, and releases it after.
 */
export class LeaseScope {
  readonly #o: LeaseScopeOptions;
  /** Threads this worker is running now: a lease of ours on any other thread is stale. */
  readonly #running = new Set<number>();

  constructor(options: LeaseScopeOptions) {
    this.#o = options;
  }

  /**
   * Runs `work` under the thread's lease; returns `busy` without running it when another run
   * holds the thread (one of this worker's own included).
   */
  async hold<T>(
    threadId: number,
    log: Logger,
    work: (held: HeldThread) => Promise<T>,
  ): Promise<T | typeof BUSY> {
    const { db, workerId, leaseTtlMs } = this.#o;
    // One run per thread per worker: another job of ours (the rescue lane) waits its turn.
    const lease = this.#running.has(threadId)
      ? null
      : await this.#claim(threadId, () =>
          acquireLease(db, threadId, workerId, leaseTtlMs).then(
            (taken) => taken ?? this.#takeOverFromDead(threadId),
          ),
        );
    if (!lease) return BUSY;
    const held = log.child({ leaseToken: lease.token });
    if (lease.diedRuns)
      held.warn({ runs: lease.diedRuns }, "marked the previous holder's unfinished runs failed");
    // Listen for follow-ups before loading messages, so none falls between the two.
    const early: ThreadEvent[] = [];
    let onEvent: (event: ThreadEvent) => void = (event) => early.push(event);
    const subscribing = this.#o.events.subscribe(threadId, (event) => onEvent(event));
    const lost = new AbortController();
    const renewal = setInterval(
      () => {
        renewLease(db, lease, leaseTtlMs)
          .then((ok) => {
            if (!ok) lost.abort(new LeaseLostError(lease.threadId, lease.token));
          })
          .catch((error: Error) => held.warn({ err: error }, 'lease renewal failed'));
      },
      Math.max(250, Math.floor(leaseTtlMs / 3)),
    );
    try {
      // The thread row loads meanwhile: its cursor is read before the subscription, but
      // messages past it are loaded only after, so none is missed.
      const [, thread] = await Promise.all([subscribing, findThreadById(db, threadId)]);
      return await work({
        lease,
        thread,
        log: held,
        lost: lost.signal,
        listen(handler) {
          onEvent = handler;
          for (const event of early.splice(0)) handler(event);
        },
      });
    } finally {
      clearInterval(renewal);
      this.#running.delete(threadId);
      await Promise.all([
        subscribing.then(
          (unsubscribe) => unsubscribe(),
          () => {},
        ),
        releaseLease(db, lease).catch((error: Error) =>
          held.warn({ err: error }, 'lease release failed'),
        ),
      ]);
    }
  }

  /** Marks the thread as running here while `take` gets its lease; unmarks it if none. */
  async #claim(
    threadId: number,
    take: () => Promise<ThreadLease | null>,
  ): Promise<ThreadLease | null> {
    this.#running.add(threadId);
    try {
      const lease = await take();
      if (!lease) this.#running.delete(threadId);
      return lease;
    } catch (error) {
      this.#running.delete(threadId);
      throw error;
    }
  }

  /**
   * The lease of a thread whose holder crashed (killed worker), instead of waiting for its
   * expiry; or a lease of this worker's own that no run of it holds any more (its release
   * failed while Postgres was away).
   */
  async #takeOverFromDead(threadId: number): Promise<ThreadLease | null> {
    const { db, workerId, leaseTtlMs, isOwnerAlive } = this.#o;
    const holder = await leaseHolder(db, threadId);
    if (!holder) return null;
    // #claim marked the thread as ours just now; any older lease of ours is stale.
    if (holder === workerId) {
      // fall through: take it back with a new token
    } else if (!isOwnerAlive || (await isOwnerAlive(holder))) {
      return null;
    }
    const lease = await takeOverLease(db, threadId, holder, workerId, leaseTtlMs);
    if (lease && holder === workerId)
      this.#o.logger.warn({ threadId }, 'took back a lease this worker failed to release');
    else if (lease)
      this.#o.logger.warn({ threadId, deadOwner: holder }, 'took over the lease of a dead worker');
    return lease;
  }
}

/** What {@link LeaseScope.hold} returns when another run holds the thread. */
export const BUSY: unique symbol = Symbol('lease busy');
