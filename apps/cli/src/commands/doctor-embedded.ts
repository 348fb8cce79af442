import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKEN_FILE } from '@gridbot/app-dashboard';
import { assertSchemaCurrent, openEmbeddedDatabase } from '@gridbot/db';
import { lockDataDir } from '@gridbot/service';
import { type Finding, ok, problem, warning } from './doctor-checks.ts';
import {
  checkFleet,
  checkOutbox,
  checkQueues,
  checkThreads,
  fleetFinding,
  type QueueCounts,
} from './doctor-install-checks.ts';

type Env = Record<string, string | undefined>;

export interface EmbeddedCheckOptions {
  dataDir: string;
  heartbeatMs: number;
  /** A reply unsent for this long is stuck. */
  stuckMs: number;
}

/**
 * The embedded install of DATA_DIR. Stopped, its database is opened (never migrated) and
 * read as a server's would be: roles that died without saying so, replies stuck unsent,
 * failed threads. Running, only that `gridbot start` may open it, so the start is asked
 * instead: its readiness, its fleet and its queues through the dashboard's API.
 */
export async function embeddedFindings(
  env: Env,
  options: EmbeddedCheckOptions,
): Promise<Finding[]> {
  const { dataDir } = options;
  if (!existsSync(join(dataDir, 'db'))) {
    return [
      problem(
        'database',
        `no embedded database in ${dataDir}`,
        'Run gridbot setup, or gridbot start once (it creates one); or point DATA_DIR, or DATABASE_URL, at the install.',
      ),
    ];
  }
  let unlock: () => Promise<void>;
  try {
    unlock = await lockDataDir(dataDir, 'running');
  } catch {
    return runningFindings(env, dataDir);
  }
  try {
    const database = await openEmbeddedDatabase(join(dataDir, 'db'));
    try {
      const findings: Finding[] = [
        warning('start', `gridbot start is not running on ${dataDir}`, 'Start it: gridbot start'),
      ];
      try {
        await assertSchemaCurrent(database.db);
        findings.push(ok('database', `the embedded database of ${dataDir}, schema current`));
      } catch (error) {
        findings.push(
          problem('database', (error as Error).message, 'Run gridbot migrate (once per upgrade).'),
        );
        return findings;
      }
      findings.push(await checkFleet(database.db, options.heartbeatMs));
      findings.push(await checkOutbox(database.db, options.stuckMs));
      findings.push(await checkThreads(database.db));
      return findings;
    } finally {
      await database.close();
    }
  } finally {
    await unlock();
  }
}

/** The running start, asked over its port: ready, its fleet, its queues. */
async function runningFindings(env: Env, dataDir: string): Promise<Finding[]> {
  const port = env.HEALTH_PORT || env.DASHBOARD_PORT || '3000';
  const variable = env.HEALTH_PORT ? 'HEALTH_PORT' : 'DASHBOARD_PORT';
  const base = `http://127.0.0.1:${port}`;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
  try {
    const ready = await get('/readyz');
    if (!ready.ok) {
      return [
        problem(
          'start',
          `gridbot start on ${dataDir} answers ${ready.status} on ${base}/readyz: not ready`,
          'Read its log: a service it needs is down or it is still starting.',
        ),
      ];
    }
  } catch (error) {
    return [
      problem(
        'start',
        `a gridbot start holds ${dataDir} but nothing answers on ${base} (${(error as Error).message})`,
        `Set ${variable} to the port it serves, or restart it if it hangs.`,
      ),
    ];
  }
  const findings: Finding[] = [ok('start', `gridbot start on ${dataDir} answers on port ${port}`)];
  const token =
    env.DASHBOARD_TOKEN ||
    (await readFile(join(dataDir, TOKEN_FILE), 'utf8').then(
      (text) => text.trim(),
      () => '',
    ));
  if (!token) {
    findings.push(
      warning(
        'fleet',
        'not checked: no DASHBOARD_TOKEN',
        'Set DASHBOARD_TOKEN as the start has it.',
      ),
    );
    return findings;
  }
  const auth = { authorization: `Bearer ${token}` };
  const [fleet, queues] = await Promise.all([get('/api/fleet', auth), get('/api/queues', auth)]);
  if (fleet.status === 401 || queues.status === 401) {
    findings.push(
      problem(
        'fleet',
        'the dashboard refused DASHBOARD_TOKEN',
        'Set DASHBOARD_TOKEN as the start has it.',
      ),
    );
    return findings;
  }
  const { instances } = (await fleet.json()) as {
    instances: Array<{
      role: string;
      host: string;
      pid: number;
      heartbeatAt: string;
      status: string;
    }>;
  };
  findings.push(
    fleetFinding(
      instances
        .filter((member) => member.status === 'up' || member.status === 'stale')
        .map((member) => ({
          ...member,
          heartbeatAt: new Date(member.heartbeatAt),
          stale: member.status === 'stale',
        })),
    ),
  );
  findings.push(...checkQueues(((await queues.json()) as { queues: QueueCounts[] }).queues));
  return findings;
}
