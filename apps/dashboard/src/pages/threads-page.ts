import { findThreadById, listMemories, listTasks } from '@gridbot/db';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { dashboardGlobals } from '../read-models/behaviour.ts';
import { taskView } from '../read-models/tasks.ts';
import {
  listThreadSummaries,
  type ThreadView,
  threadDetail,
  threadMessages,
  threadRuns,
} from '../read-models/threads.ts';
import { threadConfigSection } from './config-form.ts';
import { csrfOf } from './csrf-of.ts';
import { excerpt, when } from './format.ts';
import { layout } from './layout.ts';
import { taskForm } from './task-form.ts';
import { taskTable } from './tasks-page.ts';

const MESSAGES_SHOWN = 100;
const RUNS_SHOWN = 50;

function status(thread: ThreadView) {
  const word = thread.registered ? 'registered' : 'unregistered';
  return html`<span class="thread-status status-${word}">${word}</span>${
    thread.isMain ? html` <span class="muted">(main)</span>` : ''
  }${thread.status === 'failed' ? html` <span class="status-failed">last run failed</span>` : ''}`;
}

function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** `/threads` (search) and `/threads/:id` (one thread: forms, history, runs, tasks, memory). */
export function threadsPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db } = deps;
  const page = new Hono<DashboardEnv>();

  page.get('/threads', async (c) => {
    const q = c.req.query('q') ?? '';
    const filter = c.req.query('registered') ?? '';
    const threads = await listThreadSummaries(db, {
      q,
      registered: filter === 'true' ? true : filter === 'false' ? false : undefined,
      limit: 500,
    });
    const option = (value: string, label: string) =>
      html`<option value="${value}"${filter === value ? html` selected` : ''}>${label}</option>`;
    const body = html`
<details id="add-thread"><summary>Register a chat</summary>
<form id="new-thread-form" class="stacked" data-api="/api/threads" data-method="POST">
<label>JID <input name="jid" required placeholder="telegram:-1001234567890, discord:123456789012345678, web:team"></label>
<span class="hint">A chat nobody has written in yet can be registered ahead; its first message is then answered.</span>
<label>Name <input name="title" maxlength="200" placeholder="Ops room"></label>
<label><input type="checkbox" name="requiresTrigger" checked> Requires a trigger</label>
<label>Trigger pattern <input name="triggerPattern" placeholder="default: @assistant"></label>
<button type="submit">Register</button>
</form>
</details>
<form id="thread-search" class="inline" method="get" action="/threads">
<input type="search" name="q" value="${q}" placeholder="JID or title" aria-label="Search threads">
<select name="registered" aria-label="Registration">${option('', 'All')}${option('true', 'Registered')}${option('false', 'Unregistered')}</select>
<button type="submit">Search</button>
</form>
<table id="threads">
<thead><tr><th>Thread</th><th>JID</th><th>Status</th><th>Trigger</th><th>Messages</th><th>Runs</th><th>Tasks</th><th>Last activity</th></tr></thead>
<tbody>${
      threads.length === 0
        ? html`<tr><td colspan="8" class="muted">${q ? 'No thread matches.' : 'No threads yet.'}</td></tr>`
        : threads.map(
            (t) =>
              html`<tr class="thread" data-thread-id="${t.id}"><td><a href="/threads/${t.id}">${t.title ?? t.jid}</a></td><td><code>${t.jid}</code></td><td>${status(t)}</td><td>${
                t.requiresTrigger ? html`<code>${t.triggerPattern ?? 'default'}</code>` : 'none'
              }</td><td>${t.counts.messages}</td><td>${t.counts.runs}</td><td>${t.counts.tasks}</td><td>${when(t.lastActivity)}</td></tr>`,
          )
    }</tbody>
</table>`;
    return c.html(layout({ title: 'Threads', section: '/threads', csrf: csrfOf(c), body }));
  });

  page.get('/threads/:id', async (c) => {
    const raw = c.req.param('id');
    const row = /^\d{1,15}$/.test(raw) ? await findThreadById(db, Number(raw)) : undefined;
    if (!row) return notFound(c, raw);
    const globals = await dashboardGlobals(db, deps.userTriggersPerMinute);
    const { thread, config, behaviour } = await threadDetail(db, row, globals);
    const [{ messages, hasMore }, runs, tasks, memories] = await Promise.all([
      threadMessages(db, thread.id, { limit: MESSAGES_SHOWN }),
      threadRuns(db, thread.id, RUNS_SHOWN),
      listTasks(db, thread.id),
      listMemories(db, thread.id),
    ]);
    const checked = (on: boolean) => (on ? html` checked` : '');
    const registration = thread.registered
      ? html`<form id="register-form" class="inline" data-api="/api/threads/${thread.id}/unregister" data-method="POST" data-confirm="Unregister ${thread.title ?? thread.jid}? Its new messages will no longer be stored or answered, and its tasks stop running.">
<button type="submit" class="danger">Unregister</button>
<span class="hint">New messages are no longer stored or answered.</span>
</form>`
      : html`<form id="register-form" class="inline" data-api="/api/threads/${thread.id}/register" data-method="POST">
<input name="title" value="${thread.title ?? ''}" placeholder="Name" aria-label="Name">
<label><input type="checkbox" name="requiresTrigger"${checked(thread.requiresTrigger)}> Requires a trigger</label>
<input name="triggerPattern" value="${thread.triggerPattern ?? ''}" placeholder="default: @assistant" aria-label="Trigger pattern">
<button type="submit">Register</button>
</form>`;
    const body = html`
<p id="thread-header"><code id="thread-jid">${thread.jid}</code> · <span id="thread-title">${thread.title ?? '(no title)'}</span> · ${status(thread)} · ${thread.isGroup ? 'group' : 'direct chat'} · last activity ${when(thread.lastActivity)}</p>
${registration}
${
  thread.registered
    ? html`<h2>Trigger</h2>
<form id="trigger-form" class="inline" data-api="/api/threads/${thread.id}" data-method="PATCH">
<input name="title" value="${thread.title ?? ''}" placeholder="Title" aria-label="Title">
<label><input type="checkbox" name="requiresTrigger"${checked(thread.requiresTrigger)}> Requires a trigger</label>
<input name="triggerPattern" value="${thread.triggerPattern ?? ''}" placeholder="default: @assistant" aria-label="Trigger pattern">
<label><input type="checkbox" name="useDefaultTrigger"> Use the default trigger</label>
<button type="submit">Save</button>
</form>`
    : ''
}
<h2>Messages</h2>
${hasMore ? html`<p class="hint">The last ${MESSAGES_SHOWN}; older ones at <code>/api/threads/${thread.id}/messages?before=${messages[0]?.id ?? ''}</code>.</p>` : ''}
<table id="thread-messages">
<thead><tr><th>Time</th><th>Sender</th><th>Text</th></tr></thead>
<tbody>${
      messages.length === 0
        ? html`<tr><td colspan="3" class="muted">No messages stored.</td></tr>`
        : messages.map(
            (m) =>
              html`<tr class="message role-${m.role}" data-message-id="${m.id}"><td>${when(m.sentAt)}</td><td>${m.senderName}${m.role === 'user' ? '' : html` <span class="muted">(${m.role})</span>`}</td><td><pre>${m.content}</pre></td></tr>`,
          )
    }</tbody>
</table>
<h2>Runs</h2>
<table id="thread-runs">
<thead><tr><th>#</th><th>Trigger</th><th>Status</th><th>Started</th><th>Duration</th><th>Tokens in / out</th><th>Error</th></tr></thead>
<tbody>${
      runs.length === 0
        ? html`<tr><td colspan="7" class="muted">No runs yet.</td></tr>`
        : runs.map(
            (r) =>
              html`<tr class="run" data-run-id="${r.id}"><td>${r.id}</td><td>${r.trigger}</td><td class="status-${r.status}">${r.status}</td><td>${when(r.startedAt)}</td><td>${duration(r.durationMs)}</td><td>${r.inputTokens} / ${r.outputTokens}</td><td class="error">${r.error ? excerpt(r.error, 300) : ''}</td></tr>`,
          )
    }</tbody>
</table>
<h2>Tasks</h2>
${thread.registered ? taskForm({ threads: { id: thread.id }, timezone: behaviour.resolved.timezone }) : ''}
${taskTable(
  tasks.map((t) => taskView(t, thread)),
  { id: 'thread-tasks', withThread: false },
)}
<h2>Memory</h2>
<table id="thread-memories">
<thead><tr><th>#</th><th>Entry</th><th>Updated</th></tr></thead>
<tbody>${
      memories.length === 0
        ? html`<tr><td colspan="3" class="muted">Nothing remembered.</td></tr>`
        : memories.map(
            (m) =>
              html`<tr class="memory"><td>${m.id}</td><td><pre>${m.content}</pre></td><td>${when(m.updatedAt)}</td></tr>`,
          )
    }</tbody>
</table>
${threadConfigSection(thread.id, behaviour)}
<details><summary>The thread's stored values (JSON)</summary>
<pre id="thread-config">${JSON.stringify(config, null, 2)}</pre>
</details>`;
    return c.html(
      layout({
        title: thread.title ?? thread.jid,
        section: '/threads',
        csrf: csrfOf(c),
        body,
        scripts: thread.registered ? ['/assets/task-form.js'] : [],
      }),
    );
  });

  return page;
}

function notFound(c: Context<DashboardEnv>, raw: string) {
  return c.html(
    layout({
      title: 'Thread not found',
      section: '/threads',
      csrf: csrfOf(c),
      body: html`<p class="error">There is no thread ${raw}. <a href="/threads">All threads</a></p>`,
    }),
    404,
  );
}
