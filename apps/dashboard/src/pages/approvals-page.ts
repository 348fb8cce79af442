import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { listApprovals } from '../read-models/approvals.ts';
import { csrfOf } from './csrf-of.ts';
import { when } from './format.ts';
import { layout } from './layout.ts';

/** `/approvals`: what runs wait for, with approve and reject. */
export function approvalsPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/approvals', async (c) => {
    const status = c.req.query('status') === 'all' ? 'all' : 'pending';
    const approvals = await listApprovals(deps.db, status);
    const body = html`
<p class="filters"><a href="/approvals"${status === 'pending' ? html` aria-current="true"` : ''}>Pending</a> <a href="/approvals?status=all"${status === 'all' ? html` aria-current="true"` : ''}>All</a></p>
<table id="approvals">
<thead><tr><th>#</th><th>Thread</th><th>Proposal</th><th>Status</th><th>Requested</th><th>Expires</th><th>Decided</th><th></th></tr></thead>
<tbody>${
      approvals.length === 0
        ? html`<tr><td colspan="8" class="muted">${status === 'pending' ? 'Nothing waits for an approval.' : 'No approvals yet.'}</td></tr>`
        : approvals.map(
            (a) =>
              html`<tr class="approval" data-approval-id="${a.id}"><td>${a.id}</td><td><a href="/threads/${a.threadId}">${a.threadTitle ?? a.jid}</a><br><code class="muted">${a.jid}</code></td><td><pre>${JSON.stringify(a.proposal, null, 2)}</pre></td><td class="approval-status status-${a.status}">${a.status}</td><td>${when(a.requestedAt)}</td><td>${when(a.expiresAt)}</td><td>${a.resolvedBy ? html`${a.resolvedBy}, ${when(a.resolvedAt)}` : '—'}</td><td>${
                a.status === 'pending'
                  ? html`<button type="button" class="primary" data-api="/api/approvals/${a.id}/approve" data-method="POST">Approve</button> <button type="button" data-api="/api/approvals/${a.id}/reject" data-method="POST" data-confirm="Reject approval #${a.id}?">Reject</button>`
                  : ''
              }</td></tr>`,
          )
    }</tbody>
</table>`;
    return c.html(layout({ title: 'Approvals', section: '/approvals', csrf: csrfOf(c), body }));
  });
  return page;
}
