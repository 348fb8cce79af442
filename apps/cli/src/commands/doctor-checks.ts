import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { outboundQueueName, SYSTEM_QUEUE, TASKS_QUEUE, THREADS_QUEUE } from '@gridbot/queue';
import type { RoleRuntime } from '@gridbot/service';
import { sql } from 'kysely';

/** One thing `gridbot doctor` looked at. `problem` fails the run; `warning` does not. */
export interface Finding {
  check: string;
  level: 'ok' | 'warning' | 'problem';
  detail: string;
  /** What to do about it (not for `ok`). */
  fix?: string;
}

const ok = (check: string, detail: string): Finding => ({ check, level: 'ok', detail });
const problem = (check: string, detail: string, fix: string): Finding => ({
  check,
  level: 'problem',
  detail,
  fix,
});
const warning = (check: string, detail: string, fix: string): Finding => ({
  check,
  level: 'warning',
  detail,
  fix,
});

/** Node 22 or newer (GridBot targets Node 24 LTS). */
export function checkNode(version = process.versions.node): Finding {
  const major = Number(version.split('.')[0]);
  return major >= 22
    ? ok('node', `Node ${version}`)
    : problem('node', `Node ${version} is too old`, 'Install Node 24 LTS (22 at least).');
}

/** `pg_dump`, which backups need, on PATH. */
export async function checkPgDump(): Promise<Finding> {
  try {
    const { stdout } = await promisify(execFile)('pg_dump', ['--version'], { timeout: 5_000 });
    return ok('pg_dump', stdout.trim());
  } catch {
    return warning(
      'pg_dump',
      'pg_dump is not installed: backups of a Postgres server cannot be made',
      'Install the PostgreSQL client (Debian: apt install postgresql-client).',
    );
  }
}

/** The Docker engine and the agent image, when agents run in containers. */
export async function checkDocker(agentRuntime: string, image: string): Promise<Finding> {
  if (agentRuntime === 'process') {
    return warning(
      'agents',
      'AGENT_RUNTIME=process: agents run as plain processes, not isolated',
      'Use AGENT_RUNTIME=docker (the default) outside development.',
    );
  }
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    const detail = `the Docker engine does not answer (${(error as Error).message})`;
    return agentRuntime === 'auto'
      ? warning('agents', `${detail}; agents would run as processes`, 'Start Docker.')
      : problem('agents', detail, 'Start Docker, or set AGENT_RUNTIME=process for development.');
  }
  try {
    await docker.getImage(image).inspect();
    return ok('agents', `Docker answers; image ${image} is there`);
  } catch {
    return problem(
      'agents',
      `the agent image ${image} is missing`,
      'Build it: pnpm agent:image (or set AGENT_IMAGE).',
    );
  }
}

/** Roles marked up whose heartbeat stopped: crashed, hung, or cut off from Postgres. */
export async function checkFleet(runtime: RoleRuntime, heartbeatMs: number): Promise<Finding> {
  const since = new Date(Date.now() - 3 * heartbeatMs);
  const rows = await runtime.db
    .selectFrom('instances')
    .select(['role', 'host', 'pid', 'heartbeat_at'])
    .where('status', '=', 'up')
    .execute();
  const stale = rows.filter((row) => row.heartbeat_at < since);
  const live = rows.length - stale.length;
  if (stale.length === 0) return ok('fleet', `${live} role(s) up, every heartbeat fresh`);
  const names = stale
    .map(
      (row) =>
        `${row.role} on ${row.host} (pid ${row.pid}, last heard ${Math.round((Date.now() - row.heartbeat_at.getTime()) / 1000)} s ago)`,
    )
    .join('; ');
  return problem(
    'fleet',
    `${stale.length} role(s) stopped sending heartbeats: ${names}`,
    "Look at those processes' logs and restart them; a role that is gone for good is dropped from the fleet after a day (its threads were handed on already).",
  );
}

/** Backlogs and failed jobs of every queue the install uses. */
export async function checkQueues(runtime: RoleRuntime): Promise<Finding[]> {
  const channels = await runtime.db.selectFrom('threads').select('channel').distinct().execute();
  const names = [
    THREADS_QUEUE,
    TASKS_QUEUE,
    SYSTEM_QUEUE,
    ...channels.map((c) => outboundQueueName(c.channel)),
  ];
  const findings: Finding[] = [];
  for (const name of names) {
    const counts = await runtime.queues
      .queue(name)
      .getJobCounts('waiting', 'active', 'delayed', 'failed');
    const waiting = (counts.waiting ?? 0) + (counts.delayed ?? 0);
    const failed = counts.failed ?? 0;
    const line = `${waiting} waiting, ${counts.active ?? 0} active, ${failed} failed`;
    if (waiting > 1_000) {
      findings.push(
        warning(
          `queue ${name}`,
          `${line}: a backlog`,
          name === THREADS_QUEUE
            ? 'Start more workers (or raise WORKER_CONCURRENCY).'
            : `Check that the role consuming ${name} runs.`,
        ),
      );
    } else if (failed > 0) {
      findings.push(
        warning(
          `queue ${name}`,
          line,
          'See the failed jobs in Bull Board (/queues) and the dead letters on the dashboard.',
        ),
      );
    } else findings.push(ok(`queue ${name}`, line));
  }
  return findings;
}

/** Replies committed but still not sent after `stuckMs`: their gateway is down or failing. */
export async function checkOutbox(runtime: RoleRuntime, stuckMs: number): Promise<Finding> {
  const rows = await runtime.db
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
export async function checkThreads(runtime: RoleRuntime): Promise<Finding> {
  const failed = await runtime.db
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

/** How much the workspaces and backups hold. */
export async function checkDisk(dirs: { workspaces: string; backups: string }): Promise<Finding> {
  const [workspaces, backups] = await Promise.all([
    bytesUnder(dirs.workspaces),
    bytesUnder(dirs.backups),
  ]);
  return ok(
    'disk',
    `workspaces ${megabytes(workspaces)} (${dirs.workspaces}), backups ${megabytes(backups)} (${dirs.backups})`,
  );
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(path);
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
