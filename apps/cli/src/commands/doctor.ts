import { join, resolve } from 'node:path';
import { assertSchemaCurrent, createDatabase } from '@gridbot/db';
import { assertRedisReachable } from '@gridbot/queue';
import {
  assertPostgresReachable,
  baseEnvShape,
  createLogger,
  parseEnv,
  RoleRuntime,
  safeUrl,
} from '@gridbot/service';
import { z } from 'zod';
import { checkDisk, checkDocker, checkNode, checkPgDump, type Finding } from './doctor-checks.ts';
import { embeddedFindings } from './doctor-embedded.ts';
import {
  checkFleet,
  checkOutbox,
  checkQueues,
  checkThreads,
  queueCounts,
} from './doctor-install-checks.ts';

type Env = Record<string, string | undefined>;

const MARK = { ok: 'ok     ', warning: 'warning', problem: 'PROBLEM' } as const;
/** A reply unsent this long is stuck (the scheduler re-enqueues after 10 s by default). */
const STUCK_MS = 5 * 60_000;

/**
 * `gridbot doctor`: checks the machine (Node, Docker and the agent image, pg_dump) and the
 * install it is pointed at (Postgres and its schema, or the embedded database of DATA_DIR,
 * Redis, the fleet's heartbeats, queue
 * backlogs and failed jobs, replies stuck unsent, failed threads, disk use), prints each
 * finding with its fix, and returns the exit code: 1 when something is wrong.
 */
export async function doctorCommand(rawEnv: Env): Promise<number> {
  // The variables it uses are checked as the roles check them (a wrong one: the same message).
  const env = parseEnv(
    z.object({
      DATABASE_URL: baseEnvShape.DATABASE_URL.optional(),
      REDIS_URL: baseEnvShape.REDIS_URL,
      QUEUE_PREFIX: baseEnvShape.QUEUE_PREFIX,
      HEARTBEAT_MS: baseEnvShape.HEARTBEAT_MS,
    }),
    rawEnv,
  );
  const findings: Finding[] = [checkNode()];
  const report = (finding: Finding) => {
    findings.push(finding);
  };
  report(
    await checkDocker(
      rawEnv.AGENT_RUNTIME || 'docker',
      rawEnv.AGENT_IMAGE || 'gridbot-agent:latest',
    ),
  );
  report(await checkPgDump());
  const dataDir = resolve(rawEnv.DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL;
  let reachable = true;
  if (!databaseUrl) {
    for (const finding of await embeddedFindings(rawEnv, {
      dataDir,
      heartbeatMs: env.HEARTBEAT_MS,
      stuckMs: STUCK_MS,
    })) {
      report(finding);
    }
    reachable = false;
  } else {
    const db = createDatabase({
      connectionString: databaseUrl,
      max: 1,
      applicationName: 'gridbot-doctor',
    });
    try {
      await assertPostgresReachable(db, databaseUrl);
      await assertSchemaCurrent(db);
      report({ check: 'postgres', level: 'ok', detail: `${safeUrl(databaseUrl)}, schema current` });
    } catch (error) {
      reachable = false;
      report({
        check: 'postgres',
        level: 'problem',
        detail: (error as Error).message,
        fix: /migrate/.test((error as Error).message)
          ? 'Run gridbot migrate (once per upgrade).'
          : 'Start Postgres, or fix DATABASE_URL.',
      });
    } finally {
      await db.destroy();
    }
  }
  if (env.REDIS_URL) {
    try {
      await assertRedisReachable(env.REDIS_URL);
      report({ check: 'redis', level: 'ok', detail: safeUrl(env.REDIS_URL) });
    } catch (error) {
      reachable = false;
      report({
        check: 'redis',
        level: 'problem',
        detail: `cannot reach Redis at ${safeUrl(env.REDIS_URL)} (${(error as Error).message})`,
        fix: 'Start Redis or fix REDIS_URL (unset it for the Postgres-only mode).',
      });
    }
  } else if (databaseUrl) {
    report({ check: 'redis', level: 'ok', detail: 'no REDIS_URL: queues live in Postgres' });
  }
  if (reachable && databaseUrl) {
    const runtime = await RoleRuntime.open({
      role: 'doctor',
      databaseUrl,
      redisUrl: env.REDIS_URL,
      queuePrefix: env.QUEUE_PREFIX,
      healthPort: 0,
      version: 'doctor',
      gitSha: null,
      logger: createLogger({ level: 'silent', name: 'doctor' }),
      shutdownTimeoutMs: 5_000,
    });
    try {
      report(await checkFleet(runtime.db, env.HEARTBEAT_MS));
      for (const finding of checkQueues(await queueCounts(runtime))) report(finding);
      report(await checkOutbox(runtime.db, STUCK_MS));
      report(await checkThreads(runtime.db));
    } finally {
      await runtime.shutdown.stop(5_000);
    }
  }
  report(
    await checkDisk({
      workspaces: resolve(rawEnv.WORKSPACE_DIR || join(dataDir, 'workspaces')),
      backups: join(dataDir, 'backups'),
    }),
  );
  const width = Math.max(...findings.map((f) => f.check.length));
  for (const f of findings) {
    console.log(`${MARK[f.level]}  ${f.check.padEnd(width)}  ${f.detail}`);
    if (f.fix) console.log(`${' '.repeat(width + 11)}→ ${f.fix}`);
  }
  const problems = findings.filter((f) => f.level === 'problem').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  console.log(
    problems === 0
      ? `\nAll is well${warnings ? ` (${warnings} warning(s))` : ''}.`
      : `\n${problems} problem(s), ${warnings} warning(s).`,
  );
  return problems === 0 ? 0 : 1;
}
