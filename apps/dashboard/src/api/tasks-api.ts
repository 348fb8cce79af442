import {
  InvalidScheduleError,
  nextRun,
  scheduleFromColumns,
  scheduleToColumns,
  wallTimeIn,
} from '@gridbot/core';
import { findTask, findThreadById, insertTask, type ScheduledTask, updateTask } from '@gridbot/db';
import { syncTaskSchedule, TASKS_QUEUE } from '@gridbot/queue';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import {
  isTaskStatus,
  listAllTasks,
  TASK_STATUSES,
  type TaskStatus,
  taskView,
} from '../read-models/tasks.ts';
import { auditAction } from './audit.ts';
import { idParam } from './id-param.ts';
import { badRequest, jsonBody } from './params.ts';
import { checkSchedule, scheduleFields, scheduleInputSchema } from './task-schedule-input.ts';

const newTaskSchema = z.strictObject({
  ...scheduleFields,
  /** A number, or its digits as a form's select gives it. */
  threadId: z.union(
    [
      z.number().int().positive(),
      z
        .string()
        .regex(/^\d{1,15}$/)
        .transform(Number),
    ],
    {
      message: 'threadId is the number of a thread',
    },
  ),
  prompt: z
    .string()
    .trim()
    .min(1, 'say what the task should do')
    .max(4_000, 'at most 4000 characters'),
  /** The task runs with only its prompt, not the chat's recent history. */
  isolated: z.boolean().optional(),
  misfirePolicy: z.enum(['skip', 'run-once']).optional(),
});

type TaskAction = 'pause' | 'resume' | 'cancel';
const STATUS_AFTER: Record<TaskAction, TaskStatus> = {
  pause: 'paused',
  resume: 'active',
  cancel: 'cancelled',
};

function parseStatus(raw: string | undefined): TaskStatus | 'all' | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'all' || isTaskStatus(raw)) return raw;
  throw badRequest(
    `status must be one of ${[...TASK_STATUSES, 'all'].join(', ')}, not ${JSON.stringify(raw)}`,
  );
}

/** The next run a resumed task gets; a 409 when it can no longer fire. */
function nextRunOnResume(task: ScheduledTask): Date {
  let next: Date | null;
  try {
    next = nextRun(
      scheduleFromColumns(task.schedule_kind, task.schedule_value),
      task.timezone ?? 'UTC',
    );
  } catch (error) {
    if (error instanceof InvalidScheduleError) {
      throw new HTTPException(409, { message: `task #${task.id} cannot resume: ${error.message}` });
    }
    throw error;
  }
  if (next === null) {
    throw new HTTPException(409, {
      message: `task #${task.id} was due once at ${task.schedule_value}, which has passed: schedule a new task instead`,
    });
  }
  return next;
}

/**
 * `/api/tasks`: the scheduled tasks of every thread, a new one (with a preview of when it
 * fires), and pause, resume and cancel as the
 * CLI does them (status and next run in Postgres, then the schedulers told), except that
 * the BullMQ schedule is also brought in step at once rather than at the next reconcile.
 */
export function tasksApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db, queues, logger } = deps;
  const api = new Hono<DashboardEnv>();

  /** BullMQ's schedule brought in step with the task's row, and the schedulers told. */
  const syncSchedule = async (
    task: ScheduledTask,
  ): Promise<'scheduled' | 'removed' | 'pending'> => {
    try {
      const schedule = await syncTaskSchedule(queues.queue(TASKS_QUEUE), task);
      await queues.announceTaskChange(task.id);
      return schedule;
    } catch (error) {
      // Postgres holds the change; the schedulers' periodic reconcile applies it.
      logger.warn({ err: error, taskId: task.id }, 'task schedule not synced; the scheduler will');
      return 'pending';
    }
  };

  api.get('/tasks', async (c) => {
    return c.json({ tasks: await listAllTasks(db, parseStatus(c.req.query('status'))) });
  });

  /** The next firings of a schedule as the form describes it, or why it cannot fire. */
  api.get('/tasks/preview', (c) => {
    const parsed = scheduleInputSchema.safeParse(c.req.query());
    if (!parsed.success) {
      throw badRequest(parsed.error.issues.map((issue) => issue.message).join('; '));
    }
    const { timezone, runs } = checkSchedule(parsed.data);
    return c.json({
      timezone,
      runs: runs.map((at) => ({ at: at.toISOString(), local: wallTimeIn(at, timezone) })),
    });
  });

  /** Adds a task to a registered thread, as `gridbot tasks add` does. */
  api.post('/tasks', async (c) => {
    const body = await jsonBody(c.req, newTaskSchema);
    const thread = await findThreadById(db, body.threadId);
    if (!thread) throw new HTTPException(404, { message: `no thread ${body.threadId}` });
    if (!thread.registered) {
      throw new HTTPException(409, {
        message: `${thread.title ?? thread.jid} is not registered, so its tasks would not run: register it first`,
      });
    }
    const { schedule, timezone, runs } = checkSchedule(body);
    const { kind, value } = scheduleToColumns(schedule);
    const task = await db.transaction().execute(async (trx) => {
      const row = await insertTask(trx, {
        threadId: thread.id,
        prompt: body.prompt,
        scheduleKind: kind,
        scheduleValue: value,
        timezone,
        contextMode: body.isolated ? 'isolated' : 'group',
        misfirePolicy: body.misfirePolicy ?? 'skip',
        nextRunAt: runs[0]!,
        createdBy: 'dashboard',
      });
      await auditAction(trx, 'task.created', `task:${row.id}`, {
        thread: thread.jid,
        schedule: `${kind} ${value}`,
        timezone,
      });
      return row;
    });
    return c.json({ task: taskView(task, thread), schedule: await syncSchedule(task) }, 201);
  });

  for (const action of Object.keys(STATUS_AFTER) as TaskAction[]) {
    api.post(`/tasks/:id/${action}`, async (c) => {
      const id = idParam(c.req.param('id'), 'task id');
      const task = await findTask(db, id);
      if (!task || task.status === 'cancelled') {
        throw new HTTPException(404, { message: `no task #${id}` });
      }
      if (task.status === 'completed' && action !== 'cancel') {
        throw new HTTPException(409, {
          message: `task #${id} has completed: there is nothing to ${action}`,
        });
      }
      const status = STATUS_AFTER[action];
      const next = action === 'resume' ? nextRunOnResume(task) : null;
      const thread = await findThreadById(db, task.thread_id);
      const jid = thread?.jid ?? `thread:${task.thread_id}`;
      const updated = await db.transaction().execute(async (trx) => {
        const row = await updateTask(trx, id, { status, next_run_at: next });
        await auditAction(trx, `task.${status}`, `task:${id}`, {
          thread: jid,
          from: task.status,
        });
        return row;
      });
      const schedule = await syncSchedule(updated);
      return c.json({
        task: taskView(updated, { jid, title: thread?.title ?? null }),
        schedule,
      });
    });
  }

  return api;
}
