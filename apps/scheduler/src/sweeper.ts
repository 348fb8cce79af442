import {
  type Database,
  heldThreadsWithWork,
  markStaleInstancesDown,
  releaseExpiredLeases,
  strandedOutbox,
  strandedThreads,
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
  const alive = aliveCache(options.isOwnerAlive);
  const threads = await strandedThreads(db, STRANDED_GRACE_MS);
  let rescued = 0;
  for (const thread of threads) {
    await queues.enqueueDrain(thread.id);
    if (await drainHeldByDeadWorker(queues, thread.id, alive)) {
      await queues.enqueueDrain(thread.id, { rescueLeaseToken: thread.lease_token });
      logger.warn({ threadId: thread.id }, 'rescuing a thread whose drain job a dead worker held');
      rescued++;
    }
  }
  const outbox = await strandedOutbox(db, options.outboxGraceMs);
  for (const row of outbox) await queues.requeueOutbound(row.channel, row.id, row.thread_id);
  rescued += await rescueDeadHolders(options, alive);
  const instances = await markStaleInstancesDown(db, options.staleInstanceMs);
  const result = { leases, threads: threads.length, outbox: outbox.length, rescued, instances };
  if (Object.values(result).some((n) => n > 0))
    logger.info(result, 'sweep re-enqueued stranded work');
  return result;
}

type AliveCheck = ((owner: string) => Promise<boolean>) | null;

/** `isOwnerAlive` asked once per instance within one sweep; null when the sweep cannot ask. */
function aliveCache(isOwnerAlive: SweeperOptions['isOwnerAlive']): AliveCheck {
  if (!isOwnerAlive) return null;
  const known = new Map<string, Promise<boolean>>();
  return (owner) => {
    let check = known.get(owner);
    if (!check) {
      check = isOwnerAlive(owner);
      known.set(owner, check);
    }
    return check;
  };
}

/**
 * Whether the thread's drain job is active on a worker that is gone: one that died after
 * releasing the lease or before taking it. New drain requests coalesce behind that job
 * until BullMQ's lock expires, so the thread needs a rescue lane of its own.
 */
async function drainHeldByDeadWorker(
  queues: PipelineQueues,
  threadId: number,
  alive: AliveCheck,
): Promise<boolean> {
  if (!alive) return false;
  const worker = await queues.activeDrainWorker(threadId);
  return worker !== null && !(await alive(worker));
}

/**
 * Threads whose run died with its worker: their lease is still unexpired and BullMQ still
 * counts the dead worker's job as active, so new drain requests coalesce behind it. A
 * rescue drain in its own lane is answered now; its worker takes the dead holder's lease.
 */
async function rescueDeadHolders(options: SweeperOptions, alive: AliveCheck): Promise<number> {
  const { db, queues, logger } = options;
  if (!alive) return 0;
  const held = await heldThreadsWithWork(db);
  let rescued = 0;
  for (const { id, lease_owner: owner, lease_token: token } of held) {
    if (await alive(owner)) continue;
    await queues.enqueueDrain(id, { rescueLeaseToken: token });
    logger.warn({ threadId: id, deadOwner: owner }, 'rescuing a thread held by a dead worker');
    rescued++;
  }
  return rescued;
}
