import {
  type ArtifactSaveParams,
  type BehaviourConfig,
  InvalidScheduleError,
  isValidTimeZone,
  type MemoryReadParams,
  type MemoryWriteParams,
  nextRun,
  RpcErrorCode,
  type Schedule,
  scheduleFromColumns,
  scheduleToColumns,
  shortestGapMs,
  type TaskIdParams,
  type TaskListParams,
  type TaskScheduleParams,
  type TaskUpdateParams,
} from '@gridbot/core';
import {
  type Database,
  findTask,
  findThreadByJid,
  insertArtifact,
  insertTaskWithinCap,
  listMemories,
  listTasks,
  type MemoryCap,
  removeMemory,
  type ScheduledTask,
  type Thread,
  updateTask,
  writeMemoryWithinCap,
} from '@gridbot/db';
import { type AgentRequestHandlers, RpcMethodError } from '@gridbot/runner';
import type { Kysely } from 'kysely';

/** Tasks one thread may have unless the operator says otherwise (MAX_TASKS_PER_THREAD). */
export const DEFAULT_MAX_TASKS_PER_THREAD = 20;

/** What one memory (a thread's, or the global one) may hold unless the operator says otherwise. */
export const DEFAULT_MEMORY_CAP: MemoryCap = { entries: 200, bytes: 64 * 1024 };

/** The shortest gap between a non-main thread's firings unless the operator says otherwise. */
export const DEFAULT_MIN_TASK_INTERVAL_MS = 60_000;

export interface AgentRequestContext {
  db: Kysely<Database>;
  thread: Thread;
  config: BehaviourConfig;
  /** The person whose defaults the run uses: the tasks it schedules are theirs. */
  userId: number | null;
  /** Most tasks (active or paused) one thread may have; the agent is refused past it. */
  maxTasksPerThread?: number;
  /**
   * The shortest gap between two firings of a task the agent of a non-main thread
   * schedules (MIN_TASK_INTERVAL_SECONDS); 0 allows any. The main thread is not bound.
   */
  minTaskIntervalMs?: number;
  /** The most a thread's memory, and the global memory, may hold (MEMORY_MAX_*). */
  memoryCap?: MemoryCap;
  /** Tells the schedulers a task changed, so they update its BullMQ schedule at once. */
  announceTaskChange?: (taskId: number) => Promise<void>;
}

/**
 * The thread a request acts on: the run's own, or — for the main thread only — another one
 * named by JID. Permissions are enforced here, never trusted from the agent.
 */
async function targetThread(ctx: AgentRequestContext, jid: string | undefined): Promise<Thread> {
  if (jid === undefined || jid === ctx.thread.jid) return ctx.thread;
  if (!ctx.thread.is_main) {
    throw new RpcMethodError(
      RpcErrorCode.Forbidden,
      'Only the main thread may act on another thread.',
    );
  }
  const other = await findThreadByJid(ctx.db, jid);
  if (!other) throw new RpcMethodError(RpcErrorCode.InvalidParams, `No thread ${jid} is known.`);
  return other;
}

/** A task the run may touch: its own thread's, or any for the main thread. */
async function ownedTask(ctx: AgentRequestContext, taskId: number): Promise<ScheduledTask> {
  const task = await findTask(ctx.db, taskId);
  if (!task || (task.thread_id !== ctx.thread.id && !ctx.thread.is_main)) {
    throw new RpcMethodError(RpcErrorCode.InvalidParams, `No task ${taskId} in this thread.`);
  }
  if (task.status === 'cancelled')
    throw new RpcMethodError(RpcErrorCode.InvalidParams, `Task ${taskId} is cancelled.`);
  return task;
}

function describeTask(task: ScheduledTask) {
  return {
    id: task.id,
    prompt: task.prompt,
    schedule: scheduleFromColumns(task.schedule_kind, task.schedule_value),
    timezone: task.timezone,
    contextMode: task.context_mode,
    misfirePolicy: task.misfire_policy,
    status: task.status,
    nextRunAt: task.next_run_at?.toISOString() ?? null,
  };
}

/** The next firing, with schedule problems turned into an error the agent can act on. */
function firstRun(schedule: Schedule, timezone: string): Date | null {
  try {
    const next = nextRun(schedule, timezone);
    if (next === null) throw new InvalidScheduleError('That time is in the past.');
    return next;
  } catch (error) {
    if (error instanceof InvalidScheduleError)
      throw new RpcMethodError(RpcErrorCode.InvalidParams, error.message);
    throw error;
  }
}

/**
 * Refuses a schedule that fires more often than the operator allows a non-main thread: a
 * model talked into an every-second cron would otherwise start a run every second.
 */
function checkFrequency(ctx: AgentRequestContext, schedule: Schedule, timezone: string): void {
  const min = ctx.minTaskIntervalMs ?? DEFAULT_MIN_TASK_INTERVAL_MS;
  if (ctx.thread.is_main || min <= 0) return;
  let gap: number | null;
  try {
    gap = shortestGapMs(schedule, timezone);
  } catch (error) {
    if (error instanceof InvalidScheduleError)
      throw new RpcMethodError(RpcErrorCode.InvalidParams, error.message);
    throw error;
  }
  if (gap !== null && gap < min) {
    throw new RpcMethodError(
      RpcErrorCode.Forbidden,
      `This chat's tasks may fire at most once every ${min / 1000} s, and this schedule fires ${gap / 1000} s apart; only the main chat (or the operator, with MIN_TASK_INTERVAL_SECONDS) may schedule more often.`,
    );
  }
}

/** Memory, scheduled tasks and artifacts, served to the agent of one run. */
export function agentRequestHandlers(ctx: AgentRequestContext): AgentRequestHandlers {
  const handlers = requestHandlers(ctx);
  // Every task write is announced to the schedulers; a lost announcement is caught by their
  // periodic reconciliation.
  for (const method of [
    'task.schedule',
    'task.update',
    'task.pause',
    'task.resume',
    'task.cancel',
  ] as const) {
    const handle = handlers[method]!;
    handlers[method] = async (params) => {
      const result = (await handle(params)) as { task: { id: number } };
      await ctx.announceTaskChange?.(result.task.id).catch(() => {});
      return result;
    };
  }
  return handlers;
}

function requestHandlers(ctx: AgentRequestContext): AgentRequestHandlers {
  const { db } = ctx;
  return {
    'memory.read': async (raw) => {
      const params = raw as MemoryReadParams;
      const thread = await targetThread(ctx, params.threadJid);
      const entries = await listMemories(db, params.scope === 'global' ? null : thread.id);
      return {
        entries: entries.map((e) => ({
          id: e.id,
          content: e.content,
          updatedAt: e.updatedAt.toISOString(),
        })),
      };
    },
    'memory.write': async (raw) => {
      const params = raw as MemoryWriteParams;
      if (params.scope === 'global' && !ctx.thread.is_main) {
        throw new RpcMethodError(
          RpcErrorCode.Forbidden,
          'Only the main thread may write global memory.',
        );
      }
      const scope =
        params.scope === 'global' ? null : (await targetThread(ctx, params.threadJid)).id;
      const noSuchEntry = () =>
        new RpcMethodError(RpcErrorCode.InvalidParams, `No memory entry ${params.id} here.`);
      if (params.remove) {
        if (!(await removeMemory(db, scope, params.id!))) throw noSuchEntry();
        return { id: params.id, removed: true };
      }
      const cap = ctx.memoryCap ?? DEFAULT_MEMORY_CAP;
      const written = await writeMemoryWithinCap(
        db,
        scope,
        { ...(params.id !== undefined && { id: params.id }), content: params.content! },
        cap,
      );
      if (written === null) throw noSuchEntry();
      if (typeof written === 'object') {
        throw new RpcMethodError(
          RpcErrorCode.InvalidParams,
          `This ${scope === null ? 'global' : "chat's"} memory is full (${written.entries} entries, ${written.bytes} bytes; at most ${cap.entries} entries and ${cap.bytes} bytes). Remove or shorten entries first.`,
        );
      }
      return params.id !== undefined ? { id: written, removed: false } : { id: written };
    },
    'task.schedule': async (raw) => {
      const params = raw as TaskScheduleParams;
      const thread = await targetThread(ctx, params.threadJid);
      const timezone = params.timezone ?? ctx.config.timezone;
      if (!isValidTimeZone(timezone)) {
        throw new RpcMethodError(
          RpcErrorCode.InvalidParams,
          `Unknown time zone ${JSON.stringify(timezone)}.`,
        );
      }
      const next = firstRun(params.schedule, timezone);
      checkFrequency(ctx, params.schedule, timezone);
      const { kind, value } = scheduleToColumns(params.schedule);
      const max = ctx.maxTasksPerThread ?? DEFAULT_MAX_TASKS_PER_THREAD;
      const task = await insertTaskWithinCap(
        db,
        {
          threadId: thread.id,
          prompt: params.prompt,
          scheduleKind: kind,
          scheduleValue: value,
          timezone,
          contextMode: params.contextMode,
          misfirePolicy: params.misfirePolicy,
          nextRunAt: next,
          createdBy: `agent:${ctx.thread.jid}`,
          ownerUserId: ctx.userId,
        },
        max,
      );
      if (!task) {
        throw new RpcMethodError(
          RpcErrorCode.InvalidParams,
          `This chat already has ${max} scheduled tasks, the most it may have; cancel one first.`,
        );
      }
      return { task: describeTask(task) };
    },
    'task.list': async (raw) => {
      const params = raw as TaskListParams;
      const thread = await targetThread(ctx, params.threadJid);
      return { tasks: (await listTasks(db, thread.id)).map(describeTask) };
    },
    'task.update': async (raw) => {
      const params = raw as TaskUpdateParams;
      const task = await ownedTask(ctx, params.taskId);
      const timezone = params.timezone ?? task.timezone ?? ctx.config.timezone;
      const schedule =
        params.schedule ?? scheduleFromColumns(task.schedule_kind, task.schedule_value);
      const changes: Parameters<typeof updateTask>[2] = {};
      if (params.prompt !== undefined) changes.prompt = params.prompt;
      if (params.contextMode !== undefined) changes.context_mode = params.contextMode;
      if (params.misfirePolicy !== undefined) changes.misfire_policy = params.misfirePolicy;
      if (params.schedule !== undefined || params.timezone !== undefined) {
        const next = firstRun(schedule, timezone);
        checkFrequency(ctx, schedule, timezone);
        const { kind, value } = scheduleToColumns(schedule);
        Object.assign(changes, {
          schedule_kind: kind,
          schedule_value: value,
          timezone,
          next_run_at: next,
        });
      }
      return { task: describeTask(await updateTask(db, task.id, changes)) };
    },
    'task.pause': async (raw) => {
      const task = await ownedTask(ctx, (raw as TaskIdParams).taskId);
      return { task: describeTask(await updateTask(db, task.id, { status: 'paused' })) };
    },
    'task.resume': async (raw) => {
      const task = await ownedTask(ctx, (raw as TaskIdParams).taskId);
      const schedule = scheduleFromColumns(task.schedule_kind, task.schedule_value);
      const next = firstRun(schedule, task.timezone ?? ctx.config.timezone);
      return {
        task: describeTask(await updateTask(db, task.id, { status: 'active', next_run_at: next })),
      };
    },
    'task.cancel': async (raw) => {
      const task = await ownedTask(ctx, (raw as TaskIdParams).taskId);
      return {
        task: describeTask(
          await updateTask(db, task.id, { status: 'cancelled', next_run_at: null }),
        ),
      };
    },
    'artifact.save': async (raw) => {
      const params = raw as ArtifactSaveParams;
      const id = await insertArtifact(db, {
        threadId: ctx.thread.id,
        messageId: null,
        kind: params.kind,
        url: params.url ?? null,
        storageKey: params.storageKey ?? null,
        prompt: params.prompt ?? null,
        analysis: params.analysis ?? null,
        metadata: params.metadata,
      });
      return { artifactId: id };
    },
  };
}
