import { formatSetting } from '@gridbot/core';
import { findUserById, listUsers } from '@gridbot/db';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { dashboardGlobals, userDefaults, userView } from '../read-models/behaviour.ts';
import { csrfOf } from './csrf-of.ts';
import { when } from './format.ts';
import { layout } from './layout.ts';

/** `/users` (the people seen, newest first) and `/users/:id` (one person's own defaults). */
export function usersPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const { db } = deps;
  const page = new Hono<DashboardEnv>();

  page.get('/users', async (c) => {
    const q = c.req.query('q') ?? '';
    const users = (await listUsers(db, { q, limit: 500 })).map(userView);
    const body = html`
<form id="user-search" class="inline" method="get" action="/users">
<input type="search" name="q" value="${q}" placeholder="Name or id" aria-label="Search users">
<button type="submit">Search</button>
</form>
<table id="users">
<thead><tr><th>Name</th><th>Id</th><th>Time zone</th><th>Own defaults</th><th>Last seen</th></tr></thead>
<tbody>${
      users.length === 0
        ? html`<tr><td colspan="5" class="muted">${q ? 'No user matches.' : 'No users yet.'}</td></tr>`
        : users.map(
            (u) =>
              html`<tr class="user" data-user-id="${u.id}"><td><a href="/users/${u.id}">${u.name}</a>${u.username ? html` <span class="muted">@${u.username}</span>` : ''}</td><td><code>${u.channel}:${u.platformUserId}</code></td><td>${String(u.defaults.timezone ?? u.platformTimeZone ?? '—')}</td><td>${Object.keys(u.defaults).join(', ') || '—'}</td><td>${when(u.lastSeen)}</td></tr>`,
          )
    }</tbody>
</table>`;
    return c.html(layout({ title: 'Users', section: '/users', csrf: csrfOf(c), body }));
  });

  page.get('/users/:id', async (c) => {
    const raw = c.req.param('id');
    const row = /^\d{1,15}$/.test(raw) ? await findUserById(db, Number(raw)) : undefined;
    if (!row) {
      return c.html(
        layout({
          title: 'User not found',
          section: '/users',
          csrf: csrfOf(c),
          body: html`<p class="error">There is no user ${raw}. <a href="/users">All users</a></p>`,
        }),
        404,
      );
    }
    const user = userView(row);
    const defaults = userDefaults(row, await dashboardGlobals(db, deps.userTriggersPerMinute));
    const body = html`
<p id="user-header"><code>${user.channel}:${user.platformUserId}</code>${user.username ? html` · @${user.username}` : ''} · last seen ${when(user.lastSeen)}${user.platformTimeZone ? html` · time zone from their device: ${user.platformTimeZone}` : ''}</p>
<h2>Defaults</h2>
<p class="hint">Their own settings (<code>/defaults set &lt;key&gt; &lt;value&gt;</code> in any chat), used where the chat sets no value of its own. In groups the chat's clock applies, not theirs.</p>
<table id="user-defaults">
<thead><tr><th>Key</th><th>Their value</th><th>Global</th></tr></thead>
<tbody>${defaults.map(
      (d) =>
        html`<tr class="user-default" data-key="${d.key}"><td><code>${d.key}</code><br><span class="hint">${d.description}</span></td><td class="default-value">${d.value === null ? html`<span class="muted">not set</span>` : formatSetting(d.value)}</td><td>${formatSetting(d.global)}</td></tr>`,
    )}</tbody>
</table>`;
    return c.html(layout({ title: user.name, section: '/users', csrf: csrfOf(c), body }));
  });

  return page;
}
