import {
  InvalidScheduleError,
  isValidTimeZone,
  nextRun,
  parseDuration,
  parseJid,
  type Schedule,
  scheduleFromColumns,
  scheduleToColumns,
} from '@gridbot/core';
import { findTask, findThreadByJid, insertTask, listTasks, updateTask } from '@gridbot/db';
import {
  announceTaskChange,
  createBullmqPool,
  createRedisConnection,
  PostgresPubSub,
  tasksChangedChannel,
  waitForRedis,
} from '@gridbot/queue';
import { baseEnvShape, parseEnv } from '@gridbot/service';
import { z } from 'zod';
import { openAdminDatabase } from '../admin-database.ts';
import { UsageError } from '../usage-error.ts';

export interface TasksArgs {
  action: string | undefined;
  target: string | undefined;
  prompt?: string;
  cron?: string;
  every?: string;
  at?: string;
  tz?: string;
  isolated?: boolean;
  misfire?: string;
}

/** The schedule given on the command line, checked: exactly one of --cron, --every, --at. */
function scheduleOf(args: TasksArgs): Schedule {
  const given = [args.cron, args.every, args.at].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new UsageError(
      'Give exactly one of --cron "<expr>", --every <1h, 30m, …> or --at <ISO time>.',
    );
  if (args.cron !== undefined) return { kind: 'cron', expression: args.cron };
  if (args.every !== undefined) {
    // Bare digits are milliseconds, as the option always took; otherwise `1h`, `90m`, ….
    if (/^\d+$/.test(args.every)) return { kind: 'interval', everyMs: Number(args.every) };
    try {
      return { kind: 'interval', everyMs: parseDuration(args.every) };
    } catch (error) {
      if (error instanceof InvalidScheduleError) throw new UsageError(`--every: ${error.message}`);
      throw error;
    }
  }
  return { kind: 'once', at: args.at! };
}

function describe(task: {
  id: number;
  status: string;
  schedule_kind: string;
  schedule_value: string;
  timezone: string | null;
  next_run_at: Date | null;
  prompt: string;
}) {
  const next = task.next_run_at ? task.next_run_at.toISOString() : '-';
  return `#${task.id}\t${task.status}\t${task.schedule_kind} ${task.schedule_value}${task.timezone ? ` (${task.timezone})` : ''}\tnext ${next}\t${task.prompt}`;
}

/** `gridbot tasks list <jid> | add <jid> … | pause|resume|cancel <id>`. */
export async function tasksCommand(
  args: TasksArgs,
  env: Record<string, string | undefined>,
): Promise<void> {
  const action = args.action ?? 'list';
  if (!['list', 'add', 'pause', 'resume', 'cancel'].includes(action)) {
    throw new UsageError(
      `Unknown tasks action ${JSON.stringify(action)}: use list, add, pause, resume or cancel.`,
    );
  }
  if (!args.target) {
    throw new UsageError(
      action === 'list' || action === 'add'
        ? `gridbot tasks ${action} needs a thread JID, e.g. telegram:-1001234567890`
        : `gridbot tasks ${action} needs a task id`,
    );
  }
  let schedule: Schedule | null = null;
  const timezone = args.tz ?? 'UTC';
  let first: Date | null = null;
  if (action === 'add') {
    parseJid(args.target);
    if (!args.prompt) throw new UsageError('gridbot tasks add needs --prompt "<what to do>"');
    if (!isValidTimeZone(timezone))
      throw new UsageError(
        `Unknown time zone ${JSON.stringify(timezone)} (--tz): use an IANA name like Europe/Berlin.`,
      );
    if (args.misfire && !['skip', 'run-once'].includes(args.misfire))
      throw new UsageError('--misfire is skip or run-once');
    schedule = scheduleOf(args);
    try {
      first = nextRun(schedule, timezone);
    } catch (error) {
      if (error instanceof InvalidScheduleError) throw new UsageError(error.message);
      throw error;
    }
    if (first === null) throw new UsageError(`The time ${args.at} is in the past.`);
  } else if (action !== 'list' && !/^\d+$/.test(args.target)) {
    throw new UsageError(`gridbot tasks ${action} needs a numeric task id, e.g. 12`);
  }
  const { REDIS_URL, QUEUE_PREFIX } = parseEnv(
    z.object({ REDIS_URL: baseEnvShape.REDIS_URL, QUEUE_PREFIX: baseEnvShape.QUEUE_PREFIX }),
    env,
  );
  const admin = await openAdminDatabase(
    env,
    'While it runs, manage tasks on its dashboard (Tasks), or stop it first.',
  );
  const { db } = admin;
  const announce = async (taskId: number) => {
    // The embedded database has no scheduler running meanwhile: the next start reads it.
    const DATABASE_URL = admin.databaseUrl;
    if (DATABASE_URL === null) return;
    if (!REDIS_URL) {
      // The Postgres-only mode: the schedulers listen on Postgres itself.
      const pool = createBullmqPool({
        connectionString: DATABASE_URL,
        applicationName: 'gridbot-cli',
        max: 1,
      });
      const pubsub = new PostgresPubSub(pool);
      try {
        await announceTaskChange(pubsub, QUEUE_PREFIX, taskId);
      } catch {
        console.error('The schedulers pick the change up at their next reconciliation.');
      } finally {
        await pubsub.close();
        await pool.end();
      }
      return;
    }
    const redis = createRedisConnection({ url: REDIS_URL, purpose: 'producer' });
    redis.on('error', () => {});
    try {
      // The connection is still being made: a fail-fast publish would be refused at once.
      await waitForRedis(redis, 3_000);
      await redis.publish(tasksChangedChannel(QUEUE_PREFIX), String(taskId));
    } catch {
      console.error(
        'Redis is not reachable: the schedulers pick the change up at their next reconciliation.',
      );
    } finally {
      redis.disconnect();
    }
  };
  try {
    if (action === 'list' || action === 'add') {
      const thread = await findThreadByJid(db, args.target);
      if (!thread) throw new UsageError(`No thread ${args.target} is known.`);
      if (action === 'list') {
        const tasks = await listTasks(db, thread.id);
        console.log(tasks.length === 0 ? 'No tasks.' : tasks.map(describe).join('\n'));
        return;
      }
      const { kind, value } = scheduleToColumns(schedule!);
      const task = await insertTask(db, {
        threadId: thread.id,
        prompt: args.prompt!,
        scheduleKind: kind,
        scheduleValue: value,
        timezone,
        contextMode: args.isolated ? 'isolated' : 'group',
        misfirePolicy: (args.misfire as 'skip' | 'run-once' | undefined) ?? 'skip',
        nextRunAt: first,
        createdBy: 'cli',
      });
      await announce(task.id);
      console.log(`Added ${describe(task)}`);
      return;
    }
    const id = Number(args.target);
    const task = await findTask(db, id);
    if (!task || task.status === 'cancelled') throw new UsageError(`No task #${id}.`);
    const next =
      action === 'resume'
        ? nextRun(
            scheduleFromColumns(task.schedule_kind, task.schedule_value),
            task.timezone ?? 'UTC',
          )
        : null;
    const status = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'cancelled';
    const updated = await updateTask(db, id, { status, next_run_at: next });
    await announce(id);
    console.log(
      `${action === 'pause' ? 'Paused' : action === 'resume' ? 'Resumed' : 'Cancelled'} ${describe(updated)}`,
    );
  } finally {
    await admin.close();
  }
}
