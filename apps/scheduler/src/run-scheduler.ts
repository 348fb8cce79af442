import { resolve } from 'node:path';
import {
  backupDatabase,
  backupEmbedded,
  deleteInactiveThreads,
  pgDumpAvailable,
  pruneBackups,
} from '@gridbot/db';
import { SYSTEM_QUEUE, TASKS_QUEUE } from '@gridbot/queue';
import {
  type BuildInfo,
  createLogger,
  type Logger,
  RoleRuntime,
  secretsNamedIn,
  secretsOf,
} from '@gridbot/service';
import { parseSchedulerEnv, type SchedulerEnv, schedulerEnvSchema } from './env.ts';
import { SchedulerRole } from './scheduler-role.ts';

/** Daily backups older than this are deleted. */
const BACKUP_KEEP_DAYS = 7;

/** `gridbot scheduler`: task schedules and system jobs until stopped. */
export async function runScheduler(
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<RoleRuntime> {
  const env = parseSchedulerEnv(rawEnv);
  const logger = createLogger({
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT,
    name: 'scheduler',
    secrets: [...secretsOf(schedulerEnvSchema, env), ...secretsNamedIn(rawEnv)],
  });
  const runtime = await RoleRuntime.fromEnv('scheduler', env, build, logger, () => [
    TASKS_QUEUE,
    SYSTEM_QUEUE,
  ]);
  const port = await runtime.serve();
  await attachScheduler(runtime, env, logger, rawEnv).start();
  runtime.markStarted();
  logger.info({ healthPort: port }, 'scheduler ready');
  return runtime;
}

/** Builds the scheduler's parts on an open role runtime (shared with `gridbot start`); call `start()`. */
export function attachScheduler(
  runtime: RoleRuntime,
  env: SchedulerEnv,
  logger: Logger,
  /** The process environment, which `pg_dump` runs in for the daily backup. */
  processEnv: Readonly<Record<string, string | undefined>>,
): SchedulerRole {
  const role = new SchedulerRole({
    db: runtime.db,
    queues: runtime.queues,
    transport: runtime.transport,
    prefix: env.QUEUE_PREFIX,
    sweepIntervalMs: env.SWEEP_INTERVAL_MS,
    outboxGraceMs: env.OUTBOX_GRACE_MS,
    staleInstanceMs: 3 * env.HEARTBEAT_MS,
    isOwnerAlive: (owner) => runtime.instance.isAlive(owner),
    reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
    daily: {
      retention: {
        pattern: '0 3 * * *',
        run: async () => {
          if (env.RETENTION_DAYS === 0) return 'retention disabled';
          const deleted = await deleteInactiveThreads(runtime.db, {
            olderThanDays: env.RETENTION_DAYS,
          });
          logger.info(deleted, 'retention deleted inactive threads');
          return deleted;
        },
      },
      backup: {
        pattern: '30 3 * * *',
        run: async () => {
          const dir = resolve(env.DATA_DIR, 'backups');
          const embedded = runtime.options.embedded;
          if (embedded) {
            const backup = await backupEmbedded(embedded.session, dir);
            const pruned = await pruneBackups(dir, BACKUP_KEEP_DAYS);
            logger.info(
              { file: backup.file, bytes: backup.bytes, pruned: pruned.length },
              'daily backup of the embedded database written',
            );
            return backup.file;
          }
          if (!(await pgDumpAvailable())) {
            logger.warn(
              'daily backup skipped: pg_dump is not installed on this host (install the PostgreSQL client)',
            );
            return 'pg_dump missing';
          }
          const backup = await backupDatabase({
            connectionString: env.DATABASE_URL,
            dir,
            env: processEnv,
          });
          const pruned = await pruneBackups(dir, BACKUP_KEEP_DAYS);
          logger.info(
            { file: backup.file, bytes: backup.bytes, pruned: pruned.length },
            'daily backup written',
          );
          return backup.file;
        },
      },
    },
    logger,
    metrics: runtime.metrics,
  });
  runtime.shutdown.add('scheduler', () => role.stop());
  return role;
}
