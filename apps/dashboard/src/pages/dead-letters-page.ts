import { listDeadLetters } from '@gridbot/db';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardDeps, DashboardEnv } from '../dashboard-env.ts';
import { deadLetterView } from '../read-models/dead-letters.ts';
import { csrfOf } from './csrf-of.ts';
import { when } from './format.ts';
import { layout } from './layout.ts';

/** `/dead-letters`: messages a thread skipped after its runs kept failing, with retry. */
export function deadLettersPage(deps: DashboardDeps): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/dead-letters', async (c) => {
    const status = c.req.query('status') === 'all' ? 'all' : 'open';
    const letters = (await listDeadLetters(deps.db, status)).map(deadLetterView);
    const body = html`
<p class="muted">Messages skipped after every attempt of their run failed for a reason a wait would not fix. The chat was told once. Retry puts them back in front of the thread.</p>
<p class="filters"><a href="/dead-letters"${status === 'open' ? html` aria-current="true"` : ''}>Open</a> <a href="/dead-letters?status=all"${status === 'all' ? html` aria-current="true"` : ''}>All</a></p>
<table id="dead-letters">
<thead><tr><th>#</th><th>Thread</th><th>Messages</th><th>Error</th><th>Attempts</th><th>Status</th><th>When</th><th></th></tr></thead>
<tbody>${
      letters.length === 0
        ? html`<tr><td colspan="8" class="muted">${status === 'open' ? 'No message is waiting for a retry.' : 'No dead letters yet.'}</td></tr>`
        : letters.map(
            (d) =>
              html`<tr class="dead-letter" data-dead-letter-id="${d.id}"><td>${d.id}</td><td><a href="/threads/${d.threadId}">${d.threadTitle ?? d.jid}</a><br><code class="muted">${d.jid}</code></td><td>${d.messages}</td><td><pre>${d.error}</pre></td><td>${d.attempts}</td><td class="dead-letter-status">${d.status}</td><td>${when(d.createdAt)}${d.resolvedBy ? html`<br><span class="muted">${d.status} by ${d.resolvedBy}, ${when(d.resolvedAt)}</span>` : ''}</td><td>${
                d.status === 'open'
                  ? html`<button type="button" class="primary" data-api="/api/dead-letters/${d.id}/retry" data-method="POST">Retry</button>`
                  : ''
              }</td></tr>`,
          )
    }</tbody>
</table>`;
    return c.html(
      layout({ title: 'Dead letters', section: '/dead-letters', csrf: csrfOf(c), body }),
    );
  });
  return page;
}
