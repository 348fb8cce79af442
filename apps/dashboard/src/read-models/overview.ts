import type { Database } from '@gridbot/db';
import type { PipelineQueues } from '@gridbot/queue';
import { type Kysely, sql } from 'kysely';
import type { QueueBoard } from '../queue-board.ts';
import { type ChartData, fillSeries } from './time-series.ts';

export interface FleetMember {
  id: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  gitSha: string | null;
  startedAt: string;
  heartbeatAt: string;
  /** `up` only while the heartbeat is fresh; a silent instance is `stale`. */
  status: 'up' | 'stopping' | 'down' | 'stale';
  /** A worker's agents: `docker`, or `process` (not isolated); null for other roles. */
  agentRuntime: 'docker' | 'process' | null;
}

/** The fleet from `instances`: live first, then the rest of the last day. */
export async function listFleet(db: Kysely<Database>, heartbeatMs: number): Promise<FleetMember[]> {
  const rows = await db
    .selectFrom('instances')
    .selectAll()
    .where('heartbeat_at', '>', new Date(Date.now() - 24 * 3600_000))
    .orderBy('started_at', 'desc')
    .execute();
  const now = Date.now();
  const members = rows.map((row): FleetMember => {
    const stale = row.status === 'up' && now - row.heartbeat_at.getTime() > 3 * heartbeatMs;
    return {
      id: row.id,
      role: row.role,
      host: row.host,
      pid: row.pid,
      version: row.version,
      gitSha: row.git_sha,
      startedAt: row.started_at.toISOString(),
      heartbeatAt: row.heartbeat_at.toISOString(),
      status: stale ? 'stale' : row.status,
      agentRuntime: row.agent_runtime,
    };
  });
  const rank = { up: 0, stopping: 1, stale: 2, down: 3 } as const;
  return members.sort((a, b) => rank[a.status] - rank[b.status]);
}

export interface QueueDepth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** Job counts of every GridBot queue. */
export async function queueDepths(
  board: QueueBoard,
  queues: PipelineQueues,
): Promise<QueueDepth[]> {
  const names = await board.refresh();
  return Promise.all(
    names.map(async (name) => {
      const counts = await queues
        .queue(name)
        .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      return {
        name,
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      };
    }),
  );
}

/** Runs started per minute over the last `hours`, and how many of them failed. */
export async function runsPerMinute(db: Kysely<Database>, hours: number): Promise<ChartData> {
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3600_000);
  const rows = await db
    .selectFrom('agent_runs')
    .select([
      sql<Date>`date_trunc('minute', started_at)`.as('bucket'),
      sql<number>`count(*)::int`.as('runs'),
      sql<number>`(count(*) filter (where status = 'failed'))::int`.as('failures'),
    ])
    .where('started_at', '>=', from)
    .groupBy(sql`1`)
    .execute();
  return fillSeries(
    rows.flatMap((row) => [
      { bucket: row.bucket, series: 'runs', value: row.runs },
      { bucket: row.bucket, series: 'failures', value: row.failures },
    ]),
    {
      from,
      to,
      stepMs: 60_000,
      series: ['runs', 'failures'],
      label: (d) => d.toISOString().slice(11, 16),
    },
  );
}
