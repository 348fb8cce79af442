/** Default BullMQ key prefix; the braces make every key hash to one Redis Cluster slot. */
export const DEFAULT_QUEUE_PREFIX = '{gridbot}';

/** The queue of per-thread drain jobs consumed by workers. */
export const THREADS_QUEUE = 'threads';

/** The queue of replies for one channel, consumed by that channel's gateway. */
export function outboundQueueName(channel: string): string {
  return `outbound-${channel}`;
}

/** Deduplication id of a thread's drain job (no `:`, which BullMQ reserves). */
export function drainDedupId(threadId: number): string {
  return `thr-${threadId}`;
}

/**
 * Deduplication id of a thread's rescue drain: enqueued by the sweeper when the lease
 * generation `leaseToken` of the thread died with its worker. It must not coalesce behind
 * the dead run's job, which BullMQ still holds active until its lock expires — nor behind
 * an earlier rescue that died the same way, hence one lane per lease generation.
 */
export function rescueDedupId(threadId: number, leaseToken: number): string {
  return `thr-${threadId}-rescue-${leaseToken}`;
}

/** Job id of an outbox row's delivery job, so a row is enqueued at most once at a time. */
export function outboundJobId(outboxId: number): string {
  return `out-${outboxId}`;
}
