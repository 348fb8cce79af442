import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashboardEnv } from '../dashboard-env.ts';
import { csrfOf } from './csrf-of.ts';
import { layout } from './layout.ts';

/** `/chat`: talk with the assistant in a `web:` thread; replies arrive without a reload. */
export function chatPage(enabled: boolean): Hono<DashboardEnv> {
  const page = new Hono<DashboardEnv>();
  page.get('/chat', (c) => {
    const body = enabled
      ? html`
<p class="muted">You talk to the assistant in the thread <code id="chat-jid"></code>, through the same queue and workers as every other channel.</p>
<div id="chat-log" class="chat-log" aria-live="polite"></div>
<p id="chat-typing" class="muted chat-typing" hidden>The assistant is typing…</p>
<form id="chat-form" class="chat-form">
<textarea id="chat-input" name="text" placeholder="Message the assistant… (Enter sends, Shift+Enter for a new line; paste or attach images)"></textarea>
<label class="chat-attach" title="Attach up to 4 images (JPEG, PNG, GIF, WebP; 10 MB each)">Images <input id="chat-images" type="file" accept="image/*" multiple></label>
<button type="submit">Send</button>
</form>
<p id="chat-attached" class="muted"></p>
<p id="chat-status" class="muted"></p>`
      : html`<p class="error">This dashboard runs without the web chat.</p>`;
    return c.html(
      layout({
        title: 'Web chat',
        section: '/chat',
        csrf: csrfOf(c),
        body,
        scripts: enabled ? ['/assets/markdown-it.js', '/assets/chat.js'] : [],
      }),
    );
  });
  return page;
}
