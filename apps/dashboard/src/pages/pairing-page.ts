import { listPairingRequests } from '@gridbot/db';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { pairingView } from '../read-models/pairing.ts';
import { csrfOf } from './csrf-of.ts';
import { when } from './format.ts';
import { layout } from './layout.ts';

/** `/pairing`: codes unknown users got in direct chats, with approve. */
export function pairingPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/pairing', async (c) => {
    const status = c.req.query('status') === 'all' ? 'all' : 'pending';
    const requests = (await listPairingRequests(deps.db, { status })).map(pairingView);
    const body = html`
<p class="hint">Approving a code lets that user talk to the assistant in their direct chat, without a trigger. Check the code with the user first.</p>
<p class="filters"><a href="/pairing"${status === 'pending' ? html` aria-current="true"` : ''}>Pending</a> <a href="/pairing?status=all"${status === 'all' ? html` aria-current="true"` : ''}>All</a></p>
<table id="pairing-requests">
<thead><tr><th>Code</th><th>User</th><th>Chat</th><th>Status</th><th>Requested</th><th>Expires</th><th>Approved</th><th></th></tr></thead>
<tbody>${
      requests.length === 0
        ? html`<tr><td colspan="8" class="muted">${status === 'pending' ? 'No pending pairing requests.' : 'No pairing requests.'}</td></tr>`
        : requests.map(
            (r) =>
              html`<tr class="pairing-request" data-code="${r.code}"><td><code>${r.code}</code></td><td>${r.userName ?? '—'}<br><code class="muted">${r.channel}:${r.platformUserId}</code></td><td><a href="/threads/${r.threadId}"><code>${r.jid}</code></a></td><td class="pairing-status status-${r.status}">${r.status}</td><td>${when(r.createdAt)}</td><td>${when(r.expiresAt)}</td><td>${r.approvedAt ? html`${r.approvedBy ?? '?'}, ${when(r.approvedAt)}` : '—'}</td><td>${
                r.status === 'pending'
                  ? html`<button type="button" class="primary" data-api="/api/pairing/${r.code}/approve" data-method="POST" data-confirm="Let ${r.userName ?? r.platformUserId} talk to the assistant?">Approve</button>`
                  : ''
              }</td></tr>`,
          )
    }</tbody>
</table>`;
    return c.html(layout({ title: 'Pairing', section: '/pairing', csrf: csrfOf(c), body }));
  });
  return page;
}
