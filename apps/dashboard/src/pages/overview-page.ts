import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { firstRunChecklist } from '../read-models/checklist.ts';
import { type FleetMember, listFleet, queueDepths } from '../read-models/overview.ts';
import { csrfOf } from './csrf-of.ts';
import { when } from './format.ts';
import { layout } from './layout.ts';

/** `/`: the fleet, queue depths, and runs per minute with failures. */
export function overviewPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/', async (c) => {
    const [fleet, queues] = await Promise.all([
      listFleet(deps.db, deps.heartbeatMs),
      queueDepths(deps.board, deps.queues),
    ]);
    const running = fleet.filter((m) => m.status !== 'down');
    const stopped = fleet.filter((m) => m.status === 'down');
    const unisolated = running.filter((m) => m.agentRuntime === 'process');
    const checklist = await firstRunChecklist(deps.db, fleet, {
      mode: deps.mode ?? 'unknown',
      dataDir: deps.dataDir ?? null,
    });
    const body = html`
<h2>Checklist</h2>
<ul id="checklist" class="checklist">${checklist.map(
      (c) =>
        html`<li class="${c.ok ? 'check-ok' : 'check-todo'}"><strong>${c.item}</strong> ${c.ok ? '✓' : '—'} ${c.detail}</li>`,
    )}</ul>
${
  unisolated.length > 0
    ? html`<p class="warning" id="unisolated"><strong>Agents are not isolated.</strong> ${unisolated.map((m) => `${m.role} on ${m.host} (pid ${m.pid})`).join(', ')} run${unisolated.length === 1 ? 's' : ''} agents as plain processes with this machine's rights, not in Docker. Start a Docker engine and restart; the agent image is built on first use.</p>`
    : ''
}
<h2>Runs per minute, last 6 hours</h2>
<div class="chart"><canvas id="runs-chart" data-chart="/api/stats/runs?hours=6" data-chart-type="line"></canvas></div>
<h2>Queues</h2>
<table id="queues">
<thead><tr><th>Queue</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Failed</th><th>Completed</th></tr></thead>
<tbody>${queues.map(
      (q) =>
        html`<tr><td><a href="/queues/queue/${q.name}">${q.name}</a></td><td>${q.waiting}</td><td>${q.active}</td><td>${q.delayed}</td><td class="${q.failed > 0 ? 'status-failed' : ''}">${q.failed}</td><td>${q.completed}</td></tr>`,
    )}</tbody>
</table>
<h2>Fleet</h2>
${fleetTable('fleet', running, 'No instance is running.')}
${
  stopped.length > 0
    ? html`<details><summary>Stopped in the last day (${stopped.length})</summary>
${fleetTable('fleet-stopped', stopped, '')}</details>`
    : ''
}`;
    return c.html(
      layout({
        title: 'Overview',
        section: '/',
        csrf: csrfOf(c),
        body,
        scripts: ['/assets/chart.umd.js'],
      }),
    );
  });
  return page;
}

/** Instances with their status, version and heartbeat. */
function fleetTable(id: string, members: FleetMember[], empty: string) {
  return html`<table id="${id}">
<thead><tr><th>Role</th><th>Status</th><th>Host</th><th>PID</th><th>Version</th><th>Started</th><th>Heartbeat</th></tr></thead>
<tbody>${
    members.length === 0
      ? html`<tr><td colspan="7" class="muted">${empty}</td></tr>`
      : members.map(
          (m) =>
            html`<tr><td>${m.role}</td><td class="status-${m.status}">${m.status}</td><td>${m.host}</td><td>${m.pid}</td><td>${m.version}${m.gitSha ? ` (${m.gitSha.slice(0, 7)})` : ''}</td><td>${when(m.startedAt)}</td><td>${when(m.heartbeatAt)}</td></tr>`,
        )
  }</tbody>
</table>`;
}
