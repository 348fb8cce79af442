import type {
  TaskIdParams,
  TaskListParams,
  TaskScheduleParams,
  TaskUpdateParams,
} from '@gridbot/core';
import {
  type AgentTool,
  idArg,
  optionalNumberArg,
  optionalStringArg,
  stringArg,
  ToolInputError,
  toolDefinition,
} from './agent-tool.ts';

type Schedule = TaskScheduleParams['schedule'];

const scheduleProperty = {
  type: 'object',
  description:
    'When the task runs. kind "cron": a cron expression (5 fields: minute hour day-of-month month day-of-week) in the time zone; kind "interval": every every_ms milliseconds (at least 1000); kind "once": at an ISO 8601 date-time, e.g. "2025-03-01T09:00:00+01:00".',
  properties: {
    kind: { type: 'string', enum: ['cron', 'interval', 'once'] },
    expression: { type: 'string', description: 'For kind "cron", e.g. "0 8 * * 1-5".' },
    every_ms: { type: 'number', description: 'For kind "interval".' },
    at: { type: 'string', description: 'For kind "once".' },
  },
  required: ['kind'],
};

const commonProperties = {
  timezone: {
    type: 'string',
    description: "IANA time zone for a cron schedule, e.g. Europe/Berlin; default the chat's.",
  },
  context_mode: {
    type: 'string',
    enum: ['group', 'isolated'],
    description:
      '"group" (default): the task runs with this chat\'s recent history; "isolated": with only its prompt.',
  },
  misfire_policy: {
    type: 'string',
    enum: ['skip', 'run-once'],
    description:
      'What happens to firings missed while GridBot was down: "skip" (default) or "run-once" (catch up once).',
  },
};

const threadJid = {
  thread_jid: {
    type: 'string',
    description:
      'Another chat, by its id (e.g. "telegram:-100123"); only allowed in the main chat.',
  },
};

function oneOf<T extends string>(
  args: Record<string, unknown>,
  name: string,
  values: readonly T[],
): T | undefined {
  const value = optionalStringArg(args, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw new ToolInputError(`"${name}" must be one of ${values.join(', ')}.`);
  }
  return value as T;
}

/** Maps the tool's schedule object to the protocol's. */
function scheduleArg(raw: unknown): Schedule {
  if (typeof raw !== 'object' || raw === null) {
    throw new ToolInputError('"schedule" must be an object with a "kind".');
  }
  const args = raw as Record<string, unknown>;
  switch (args.kind) {
    case 'cron':
      return { kind: 'cron', expression: stringArg(args, 'expression') };
    case 'interval': {
      const everyMs = optionalNumberArg(args, 'every_ms') ?? optionalNumberArg(args, 'everyMs');
      if (everyMs === undefined)
        throw new ToolInputError('"every_ms" is required for an interval.');
      return { kind: 'interval', everyMs };
    }
    case 'once':
      return { kind: 'once', at: stringArg(args, 'at') };
    default:
      throw new ToolInputError('"schedule.kind" must be "cron", "interval" or "once".');
  }
}

/** The fields `schedule_task` and `update_task` share, snake_case → camelCase. */
function taskOptions(args: Record<string, unknown>) {
  const timezone = optionalStringArg(args, 'timezone');
  const contextMode = oneOf(args, 'context_mode', ['group', 'isolated'] as const);
  const misfirePolicy = oneOf(args, 'misfire_policy', ['skip', 'run-once'] as const);
  return {
    ...(timezone === undefined ? {} : { timezone }),
    ...(contextMode === undefined ? {} : { contextMode }),
    ...(misfirePolicy === undefined ? {} : { misfirePolicy }),
  };
}

function describeSchedule(schedule: unknown): string {
  const s = schedule as Partial<Record<string, unknown>> | null;
  if (s?.kind === 'cron') return `cron "${String(s.expression)}"`;
  if (s?.kind === 'interval') return `every ${String(s.everyMs)} ms`;
  if (s?.kind === 'once') return `once at ${String(s.at)}`;
  return JSON.stringify(schedule);
}

/** One task as a line for the model; falls back to JSON for an unexpected shape. */
export function describeTask(task: unknown): string {
  const t = task as Partial<Record<string, unknown>> | null;
  if (typeof t?.id !== 'number') return JSON.stringify(task);
  const zone = typeof t.timezone === 'string' ? ` (${t.timezone})` : '';
  const next = t.nextRunAt ? `, next run ${String(t.nextRunAt)}` : '';
  return `Task #${t.id} [${String(t.status)}]: ${describeSchedule(t.schedule)}${zone}${next}, context ${String(t.contextMode)}, misfire ${String(t.misfirePolicy)}. Prompt: ${JSON.stringify(t.prompt)}`;
}

function taskResult(result: unknown, verb: string): { text: string } {
  return {
    text: `${verb}: ${describeTask((result as { task?: unknown } | null)?.task ?? result)}`,
  };
}

function taskIdTool(
  name: string,
  method: 'task.pause' | 'task.resume' | 'task.cancel',
  description: string,
  verb: string,
): AgentTool {
  return {
    definition: toolDefinition(
      name,
      description,
      { task_id: { type: 'number', description: 'The task number, as list_tasks shows it.' } },
      ['task_id'],
    ),
    async run(args, { call }) {
      const params: TaskIdParams = { taskId: idArg(args, 'task_id') };
      return taskResult(await call(method, params), verb);
    },
  };
}

const scheduleTask: AgentTool = {
  definition: toolDefinition(
    'schedule_task',
    'Schedules a task: at the given times a run of yours starts with the prompt as its instruction (e.g. "Post the weekly summary"), and its reply goes to the chat. Use it for reminders and recurring work.',
    {
      prompt: {
        type: 'string',
        description: 'What to do when the task runs, written as an instruction to yourself.',
      },
      schedule: scheduleProperty,
      ...commonProperties,
      ...threadJid,
    },
    ['prompt', 'schedule'],
  ),
  async run(args, { call }) {
    const jid = optionalStringArg(args, 'thread_jid');
    const params: Partial<TaskScheduleParams> = {
      prompt: stringArg(args, 'prompt'),
      schedule: scheduleArg(args.schedule),
      ...taskOptions(args),
      ...(jid === undefined ? {} : { threadJid: jid }),
    };
    return taskResult(await call('task.schedule', params), 'Scheduled');
  },
};

const listTasks: AgentTool = {
  definition: toolDefinition(
    'list_tasks',
    "Lists this chat's scheduled tasks with their schedule, status and next run.",
    { ...threadJid },
  ),
  async run(args, { call }) {
    const jid = optionalStringArg(args, 'thread_jid');
    const params: TaskListParams = jid === undefined ? {} : { threadJid: jid };
    const result = (await call('task.list', params)) as { tasks?: unknown } | null;
    const tasks = Array.isArray(result?.tasks) ? result.tasks : [];
    if (tasks.length === 0) return { text: 'No scheduled tasks.' };
    return { text: tasks.map(describeTask).join('\n') };
  },
};

const updateTask: AgentTool = {
  definition: toolDefinition(
    'update_task',
    'Changes a scheduled task: give task_id and only the fields to change.',
    {
      task_id: { type: 'number', description: 'The task number, as list_tasks shows it.' },
      prompt: { type: 'string', description: 'The new instruction.' },
      schedule: scheduleProperty,
      ...commonProperties,
    },
    ['task_id'],
  ),
  async run(args, { call }) {
    const prompt = optionalStringArg(args, 'prompt');
    const params: TaskUpdateParams = {
      taskId: idArg(args, 'task_id'),
      ...(prompt === undefined ? {} : { prompt }),
      ...(args.schedule === undefined || args.schedule === null
        ? {}
        : { schedule: scheduleArg(args.schedule) }),
      ...taskOptions(args),
    };
    return taskResult(await call('task.update', params), 'Updated');
  },
};

/** The scheduled-task tools, each one worker request. */
export function createTaskTools(): AgentTool[] {
  return [
    scheduleTask,
    listTasks,
    updateTask,
    taskIdTool('pause_task', 'task.pause', 'Pauses a scheduled task until resume_task.', 'Paused'),
    taskIdTool('resume_task', 'task.resume', 'Resumes a paused task.', 'Resumed'),
    taskIdTool('cancel_task', 'task.cancel', 'Cancels a scheduled task for good.', 'Cancelled'),
  ];
}
