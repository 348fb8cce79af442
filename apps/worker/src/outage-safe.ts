import { isDatabaseUnavailable } from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import { DelayedError, type Job } from 'bullmq';

/** How long a job waits for Postgres to answer again; such waits use no attempt. */
const DATABASE_DOWN_DELAY_MS = 2_000;
/** With the queue in Postgres as well: how often a job retries in place while it is away. */
const OUTAGE_RETRY_IN_PLACE_MS = 250;
/** …and for how long, before the attempt fails as it would without this. */
const OUTAGE_WAIT_IN_PLACE_MS = 30_000;

/**
 * Postgres being away is nobody's fault: the job waits and tries again, without using
 * one of its attempts, so an outage never turns into "could not answer". When the queue
 * is in Postgres too (the Postgres-only and embedded modes) it cannot be delayed either:
 * the job then waits here, holding its lock, and tries again once Postgres answers —
 * rather than sitting out its lock's expiry after Postgres is back.
 */
export async function outageSafe(
  job: Job,
  token: string | undefined,
  logger: Logger,
  work: () => Promise<string>,
): Promise<string> {
  const giveUpAt = Date.now() + OUTAGE_WAIT_IN_PLACE_MS;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      logger.warn(
        { err: error, jobId: job.id },
        'Postgres is unavailable; the job waits and tries again',
      );
      const delayed = await job.moveToDelayed(Date.now() + DATABASE_DOWN_DELAY_MS, token).then(
        () => true,
        () => false,
      );
      if (delayed) throw new DelayedError();
      if (Date.now() >= giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_RETRY_IN_PLACE_MS));
    }
  }
}
