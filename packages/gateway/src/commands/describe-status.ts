import { type Database, hasLiveRun, listTasks, listUpWorkers, type Thread } from '@gridbot/db';
import type { Kysely } from 'kysely';

/** A worker counts as up while its heartbeat is at most this old. */
const FRESH_MS = 60_000;

/**
 * The `/status` answer: the workers that can answer, whether their agents are isolated (a
 * loud warning when they are not), and this thread's live run and tasks.
 */
export async function describeStatus(db: Kysely<Database>, thread: Thread): Promise<string> {
  const [workers, live, tasks] = await Promise.all([
    listUpWorkers(db, new Date(Date.now() - FRESH_MS)),
    hasLiveRun(db, thread.id),
    listTasks(db, thread.id),
  ]);
  const lines = ['GridBot status'];
  if (workers.length === 0) {
    lines.push('No worker is up: messages wait until one starts.');
  } else {
    const versions = [...new Set(workers.map((w) => w.version))].join(', ');
    lines.push(`Workers up: ${workers.length} (version ${versions})`);
    const unisolated = workers.filter((w) => w.agent_runtime === 'process');
    lines.push(
      unisolated.length === 0
        ? 'Agents: isolated in Docker containers'
        : `Warning: agents are NOT isolated on ${unisolated.map((w) => `${w.host} (pid ${w.pid})`).join(', ')}: they run as plain processes with the machine's rights, not in Docker`,
    );
  }
  const active = tasks.filter((t) => t.status === 'active').length;
  lines.push(
    `This chat: ${live ? 'a run is in progress (/stop cancels it)' : 'no run in progress'}; ${active} active scheduled task${active === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}
