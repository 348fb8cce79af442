import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { usageByThread } from '../read-models/usage.ts';
import { csrfOf } from './csrf-of.ts';
import { layout } from './layout.ts';

const DAYS = 14;

/** `/usage`: tokens per day and provider (stacked bars), and the threads that used most. */
export function usagePage(deps: DashboardDeps): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/usage', async (c) => {
    const threads = await usageByThread(deps.db, DAYS, 20);
    const number = (n: number) => n.toLocaleString('en-US');
    const body = html`
<h2>Tokens per day (UTC), last ${DAYS} days</h2>
<div class="chart"><canvas id="usage-chart" data-chart="/api/usage/daily?days=${DAYS}" data-chart-type="bar" data-stacked></canvas></div>
<h2>Top threads, last ${DAYS} days</h2>
<table id="usage-threads">
<thead><tr><th>Thread</th><th>JID</th><th>Input</th><th>Output</th><th>Total</th></tr></thead>
<tbody>${
      threads.length === 0
        ? html`<tr><td colspan="5" class="muted">No tokens used.</td></tr>`
        : threads.map(
            (t) =>
              html`<tr class="usage-thread" data-thread-id="${t.threadId}"><td><a href="/threads/${t.threadId}">${t.title ?? t.jid}</a></td><td><code>${t.jid}</code></td><td>${number(t.input)}</td><td>${number(t.output)}</td><td>${number(t.total)}</td></tr>`,
          )
    }</tbody>
</table>`;
    return c.html(
      layout({
        title: 'Token usage',
        section: '/usage',
        csrf: csrfOf(c),
        body,
        scripts: ['/assets/chart.umd.js'],
      }),
    );
  });
  return page;
}
