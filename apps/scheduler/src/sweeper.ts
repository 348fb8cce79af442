import {
  type Database,
  heldThreadsWithWork,
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
  /** Whether a lease holder (an instance id) still runs; dead holders' threads are rescued. */
  isOwnerAlive?: (owner: string) => Promise<boolean>;
  logger: Logger;
}

/** A message younger than this is on its way through the queue, not stranded. */
const STRANDED_GRACE_MS = 2_000;

/**
 * Design step 7: Postgres is the source of truth, Redis the transport. Work Redis lost or
 * never got is found in Postgres and enqueued again; dead leases and instances are cleaned.
 */
export async function sweep(options: SweeperOptions): Promise<Record<string, number>> {
  const { db, queues, logger } = options;
  const leases = await releaseExpiredLeases(db);
  const threads = await strandedThreadIds(db, STRANDED_GRACE_MS);
  for (const threadId of threads) await queues.enqueueDrain(threadId);
  const outbox = await strandedOutbox(db, options.outboxGraceMs);
  for (const row of outbox) await queues.requeueOutbound(row.channel, row.id, row.thread_id);
  const rescued = await rescueDeadHolders(options);
  const instances = await markStaleInstancesDown(db, options.staleInstanceMs);
  const result = { leases, threads: threads.length, outbox: outbox.length, rescued, instances };
  if (Object.values(result).some((n) => n > 0))
    logger.info(result, 'sweep re-enqueued stranded work');
  return result;
}

/**
 * Threads whose run died with its worker: their lease is still unexpired and BullMQ still
 * counts the dead worker's job as active, so new drain requests coalesce behind it. A
 * rescue drain in its own lane is answered now; its worker takes the dead holder's lease.
 */
async function rescueDeadHolders(options: SweeperOptions): Promise<number> {
  const { db, queues, isOwnerAlive, logger } = options;
  if (!isOwnerAlive) return 0;
  const held = await heldThreadsWithWork(db);
  const alive = new Map<string, Promise<boolean>>();
  let rescued = 0;
  for (const { id, lease_owner: owner, lease_token: token } of held) {
    let check = alive.get(owner);
    if (!check) {
      check = isOwnerAlive(owner);
      alive.set(owner, check);
    }
    if (await check) continue;
    await queues.enqueueDrain(id, { rescueLeaseToken: token });
    logger.warn({ threadId: id, deadOwner: owner }, 'rescuing a thread held by a dead worker');
    rescued++;
  }
  return rescued;
}
