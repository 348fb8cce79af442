import {
  type Database,
  markStaleInstancesDown,
  releaseExpiredLeases,
  strandedOutbox,
  strandedThreadIds,
} from '@gridbot/db';
import type { PipelineQueues } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';

export interface SweeperOptions {
  db: Kysely<Database>;
  queues: PipelineQueues;
  outboxGraceMs: number;
  /** Instances whose heartbeat is older than this are marked down. */
  staleInstanceMs: number;
  logger: Logger;
}

/**
 * Design step 7: Postgres is the source of truth, Redis the transport. Work Redis lost or
 * never got is found in Postgres and enqueued again; dead leases and instances are cleaned.
 */
export async function sweep(options: SweeperOptions): Promise<Record<string, number>> {
  const { db, queues, logger } = options;
  const leases = await releaseExpiredLeases(db);
  const threads = await strandedThreadIds(db);
  for (const threadId of threads) await queues.enqueueDrain(threadId);
  const outbox = await strandedOutbox(db, options.outboxGraceMs);
  for (const row of outbox) await queues.enqueueOutbound(row.channel, row.id, row.thread_id);
  const instances = await markStaleInstancesDown(db, options.staleInstanceMs);
  const result = { leases, threads: threads.length, outbox: outbox.length, instances };
  if (Object.values(result).some((n) => n > 0))
    logger.info(result, 'sweep re-enqueued stranded work');
  return result;
}
