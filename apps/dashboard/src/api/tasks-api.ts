import { InvalidScheduleError, nextRun, scheduleFromColumns } from '@gridbot/core';
import { findTask, findThreadById, type ScheduledTask, updateTask } from '@gridbot/db';
import { syncTaskSchedule, TASKS_QUEUE } from '@gridbot/queue';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
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
import { badRequest } from './params.ts';

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
 * `/api/tasks`: the scheduled tasks of every thread, and pause, resume and cancel as the
 * CLI does them (status and next run in Postgres, then the schedulers told), except that
 * the BullMQ schedule is also brought in step at once rather than at the next reconcile.
 */
export function tasksApi(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db, queues, logger } = deps;
  const api = new Hono<DashboardEnv>();

  api.get('/tasks', async (c) => {
    return c.json({ tasks: await listAllTasks(db, parseStatus(c.req.query('status'))) });
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
      let schedule: 'scheduled' | 'removed' | 'pending' = 'pending';
      try {
        schedule = await syncTaskSchedule(queues.queue(TASKS_QUEUE), updated);
        await queues.announceTaskChange(id);
      } catch (error) {
        // Postgres holds the change; the schedulers' periodic reconcile applies it.
        logger.warn({ err: error, taskId: id }, 'task schedule not synced; the scheduler will');
      }
      return c.json({
        task: taskView(updated, { jid, title: thread?.title ?? null }),
        schedule,
      });
    });
  }

  return api;
}
