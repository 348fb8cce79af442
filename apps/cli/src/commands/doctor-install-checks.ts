import type { Database } from '@gridbot/db';
import { outboundQueueName, SYSTEM_QUEUE, TASKS_QUEUE, THREADS_QUEUE } from '@gridbot/queue';
import type { RoleRuntime } from '@gridbot/service';
import { type Kysely, sql } from 'kysely';
import { type Finding, ok, problem, warning } from './doctor-checks.ts';

/** Roles marked up whose heartbeat stopped: crashed, hung, or cut off from Postgres. */
export async function checkFleet(db: Kysely<Database>, heartbeatMs: number): Promise<Finding> {
  const since = new Date(Date.now() - 3 * heartbeatMs);
  const rows = await db
    .selectFrom('instances')
    .select(['role', 'host', 'pid', 'heartbeat_at'])
    .where('status', '=', 'up')
    .execute();
  return fleetFinding(
    rows.map((row) => ({ ...row, heartbeatAt: row.heartbeat_at, stale: row.heartbeat_at < since })),
  );
}

/** The fleet's members marked up, each with whether its heartbeat is stale. */
export function fleetFinding(
  rows: Array<{ role: string; host: string; pid: number; heartbeatAt: Date; stale: boolean }>,
): Finding {
  const stale = rows.filter((row) => row.stale);
  const live = rows.length - stale.length;
  if (stale.length === 0) return ok('fleet', `${live} role(s) up, every heartbeat fresh`);
  const names = stale
    .map(
      (row) =>
        `${row.role} on ${row.host} (pid ${row.pid}, last heard ${Math.round((Date.now() - row.heartbeatAt.getTime()) / 1000)} s ago)`,
    )
    .join('; ');
  return problem(
    'fleet',
    `${stale.length} role(s) stopped sending heartbeats: ${names}`,
    "Look at those processes' logs and restart them; a role that is gone for good is dropped from the fleet after a day (its threads were handed on already).",
  );
}

/** How full one queue is. */
export interface QueueCounts {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** The counts of every queue the install uses, read from its queues. */
export async function queueCounts(runtime: RoleRuntime): Promise<QueueCounts[]> {
  const channels = await runtime.db.selectFrom('threads').select('channel').distinct().execute();
  const names = [
    THREADS_QUEUE,
    TASKS_QUEUE,
    SYSTEM_QUEUE,
    ...channels.map((c) => outboundQueueName(c.channel)),
  ];
  return Promise.all(
    names.map(async (name) => {
      const counts = await runtime.queues
        .queue(name)
        .getJobCounts('waiting', 'active', 'delayed', 'failed');
      return {
        name,
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
      };
    }),
  );
}

/** Backlogs and failed jobs of every queue. */
export function checkQueues(queues: QueueCounts[]): Finding[] {
  return queues.map((counts) => {
    const { name } = counts;
    const waiting = counts.waiting + counts.delayed;
    const line = `${waiting} waiting, ${counts.active} active, ${counts.failed} failed`;
    if (waiting > 1_000) {
      return warning(
        `queue ${name}`,
        `${line}: a backlog`,
        name === THREADS_QUEUE
          ? 'Start more workers (or raise WORKER_CONCURRENCY).'
          : `Check that the role consuming ${name} runs.`,
      );
    }
    if (counts.failed > 0) {
      return warning(
        `queue ${name}`,
        line,
        'See the failed jobs in Bull Board (/queues) and the dead letters on the dashboard.',
      );
    }
    return ok(`queue ${name}`, line);
  });
}

/** Replies committed but still not sent after `stuckMs`: their gateway is down or failing. */
export async function checkOutbox(db: Kysely<Database>, stuckMs: number): Promise<Finding> {
  const rows = await db
    .selectFrom('outbox')
    .select([
      'channel',
      sql<number>`count(*)::int`.as('n'),
      sql<Date>`min(created_at)`.as('oldest'),
    ])
    .where('status', '=', 'pending')
    .where('created_at', '<', new Date(Date.now() - stuckMs))
    .groupBy('channel')
    .execute();
  if (rows.length === 0) return ok('outbox', 'every reply older than a few minutes was sent');
  const detail = rows
    .map((r) => `${r.n} on ${r.channel} (oldest from ${new Date(r.oldest).toISOString()})`)
    .join(', ');
  const channels = rows.map((r) => r.channel);
  return problem(
    'outbox',
    `replies not sent for over ${Math.round(stuckMs / 60_000)} min: ${detail}`,
    `Check that a gateway runs for ${channels.join(', ')} (gridbot gateway --channel ${channels[0]}) and that its platform answers; the scheduler re-enqueues them.`,
  );
}

/** Threads whose last run failed after its retries. */
export async function checkThreads(db: Kysely<Database>): Promise<Finding> {
  const failed = await db
    .selectFrom('threads')
    .select('jid')
    .where('status', '=', 'failed')
    .where('registered', '=', true)
    .execute();
  if (failed.length === 0) return ok('threads', 'no thread failed');
  return warning(
    'threads',
    `${failed.length} thread(s) failed their last run: ${failed
      .slice(0, 5)
      .map((t) => t.jid)
      .join(', ')}${failed.length > 5 ? ' …' : ''}`,
    'The next message retries them; the dead letters on the dashboard say why they failed.',
  );
}
