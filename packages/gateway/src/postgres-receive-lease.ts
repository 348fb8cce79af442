import { abortableSleep, type HeldReceiveLease, type ReceiveLease } from '@gridbot/channels';
import {
  claimChannelLease,
  type Database,
  releaseChannelLease,
  renewChannelLease,
} from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';

export interface PostgresReceiveLeaseOptions {
  db: Kysely<Database>;
  /** The account it is the lease of, e.g. `telegram:123456` (the bot's id, not its token). */
  name: string;
  /** This process: its instance id. */
  holder: string;
  /** How long a claim lasts unrenewed: a standby takes over at most this long after the holder died. */
  ttlMs: number;
  logger: Logger;
}

/**
 * A {@link ReceiveLease} in `channel_leases`, on the database's clock. The holder renews
 * every third of the TTL and stops receiving as soon as a renewal finds the lease gone to
 * another; a standby tries as often. While Postgres cannot be reached the holder goes on
 * receiving: nobody can claim the lease meanwhile, and ingress spools what it cannot
 * commit, so an outage does not silence the channel. A clean stop releases it at once.
 */
export class PostgresReceiveLease implements ReceiveLease {
  readonly name: string;
  readonly #o: PostgresReceiveLeaseOptions;

  constructor(options: PostgresReceiveLeaseOptions) {
    this.name = options.name;
    this.#o = options;
  }

  async acquire(signal: AbortSignal): Promise<HeldReceiveLease | null> {
    const { db, name, holder, ttlMs, logger } = this.#o;
    const every = Math.max(100, Math.floor(ttlMs / 3));
    let standingBy: string | null = null;
    while (!signal.aborted) {
      try {
        const state = await claimChannelLease(db, name, holder, ttlMs);
        if (state.holder === holder) return this.#held(state.epoch, every);
        if (standingBy !== state.holder) {
          standingBy = state.holder;
          logger.info(
            { lease: name, holder: state.holder },
            'another gateway receives this account: standing by to take over',
          );
        }
      } catch (error) {
        logger.warn({ err: error, lease: name }, 'could not claim the receive lease; retrying');
      }
      await abortableSleep(every, signal);
    }
    return null;
  }

  #held(epoch: number, every: number): HeldReceiveLease {
    const { db, name, holder, ttlMs, logger } = this.#o;
    const lost = new AbortController();
    const stopped = new AbortController();
    const renewals = (async () => {
      while (!stopped.signal.aborted) {
        await abortableSleep(every, stopped.signal);
        if (stopped.signal.aborted) return;
        try {
          if (!(await renewChannelLease(db, name, holder, epoch, ttlMs))) {
            logger.warn({ lease: name }, 'the receive lease went to another gateway; standing by');
            lost.abort();
            return;
          }
        } catch (error) {
          logger.warn(
            { err: error, lease: name },
            'could not renew the receive lease; still receiving',
          );
        }
      }
    })();
    return {
      lost: lost.signal,
      release: async () => {
        stopped.abort();
        await renewals;
        if (lost.signal.aborted) return;
        await releaseChannelLease(db, name, holder).catch((error: unknown) => {
          logger.warn(
            { err: error, lease: name },
            'could not release the receive lease; it expires',
          );
        });
      },
    };
  }
}
