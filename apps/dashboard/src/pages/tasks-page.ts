import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { isTaskStatus, listAllTasks, TASK_STATUSES, type TaskView } from '../read-models/tasks.ts';
import { csrfOf } from './csrf-of.ts';
import { when } from './format.ts';
import { layout } from './layout.ts';
import { taskForm } from './task-form.ts';

/** The buttons a task's row offers for its status. */
function taskButtons(task: TaskView) {
  const button = (action: string, label: string, confirm?: string) =>
    html`<button type="button" data-api="/api/tasks/${task.id}/${action}" data-method="POST"${
      confirm ? html` data-confirm="${confirm}"` : ''
    }>${label}</button> `;
  if (task.status === 'cancelled') return '';
  return html`${task.status === 'active' ? button('pause', 'Pause') : ''}${
    task.status === 'paused' ? button('resume', 'Resume') : ''
  }${button('cancel', 'Cancel', `Cancel task #${task.id}? It will not run again.`)}`;
}

/** The task table of `/tasks` and of a thread's page (`withThread` adds the thread column). */
export function taskTable(tasks: TaskView[], options: { id: string; withThread: boolean }) {
  const columns = options.withThread ? 8 : 7;
  return html`<table id="${options.id}">
<thead><tr><th>#</th>${options.withThread ? html`<th>Thread</th>` : ''}<th>Prompt</th><th>Schedule</th><th>Time zone</th><th>Status</th><th>Next run</th><th></th></tr></thead>
<tbody>${
    tasks.length === 0
      ? html`<tr><td colspan="${columns}" class="muted">No tasks.</td></tr>`
      : tasks.map(
          (t) =>
            html`<tr class="task" data-task-id="${t.id}"><td>${t.id}</td>${
              options.withThread
                ? html`<td><a href="/threads/${t.threadId}">${t.threadTitle ?? t.jid}</a><br><code class="muted">${t.jid}</code></td>`
                : ''
            }<td title="${t.prompt}">${t.promptExcerpt}</td><td><code>${t.schedule}</code></td><td>${t.timezone ?? 'UTC'}</td><td class="task-status status-${t.status}">${t.status}</td><td>${when(t.nextRunAt)}</td><td>${taskButtons(t)}</td></tr>`,
        )
  }</tbody>
</table>`;
}

/** `/tasks`: the scheduled tasks of every thread, with pause, resume and cancel, and a new one. */
export function tasksPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/tasks', async (c) => {
    const raw = c.req.query('status') ?? '';
    const status = raw === 'all' || isTaskStatus(raw) ? raw : undefined;
    const [tasks, threads] = await Promise.all([
      listAllTasks(deps.db, status),
      deps.db
        .selectFrom('threads')
        .select(['id', 'jid', 'title'])
        .where('registered', '=', true)
        .orderBy('title')
        .orderBy('jid')
        .execute(),
    ]);
    const filters = [
      ['', 'Not cancelled'],
      ...TASK_STATUSES.map((s) => [s, s]),
      ['all', 'All'],
    ] as const;
    const body = html`
${taskForm({ threads: threads.map((t) => ({ id: t.id, label: t.title ? `${t.title} (${t.jid})` : t.jid })) })}
<p class="filters">${filters.map(
      ([value, label]) =>
        html`<a href="/tasks${value ? `?status=${value}` : ''}"${value === (status ?? '') ? html` aria-current="true"` : ''}>${label}</a> `,
    )}</p>
${taskTable(tasks, { id: 'tasks', withThread: true })}`;
    return c.html(
      layout({
        title: 'Tasks',
        section: '/tasks',
        csrf: csrfOf(c),
        body,
        scripts: ['/assets/task-form.js'],
      }),
    );
  });
  return page;
}
