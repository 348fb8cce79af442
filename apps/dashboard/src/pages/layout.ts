import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Content = HtmlEscapedString | Promise<HtmlEscapedString>;

const NAV = [
  ['/', 'Overview'],
  ['/threads', 'Threads'],
  ['/users', 'Users'],
  ['/tasks', 'Tasks'],
  ['/approvals', 'Approvals'],
  ['/dead-letters', 'Dead letters'],
  ['/usage', 'Token usage'],
  ['/pairing', 'Pairing'],
  ['/chat', 'Web chat'],
  ['/queues', 'Queues'],
] as const;

export interface LayoutOptions {
  title: string;
  /** The path of the current section, for the navigation. */
  section: string;
  /** The session's CSRF token, echoed by the page script on every change. */
  csrf: string | null;
  body: Content;
  /** Extra scripts (paths under /assets). */
  scripts?: string[];
}

/** The page shell every admin page shares: navigation, the CSRF meta tag, the page script. */
export function layout(options: LayoutOptions): Content {
  const scripts = options.scripts ?? [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${options.csrf ?? ''}">
<title>${options.title} · GridBot</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
</head>
<body>
<header>
<nav>
<strong class="brand">GridBot</strong>
${NAV.map(
  ([href, label]) =>
    html`<a href="${href}"${options.section === href ? html` aria-current="page"` : ''}>${label}</a>`,
)}
<form method="post" action="/logout" class="logout">
<input type="hidden" name="_csrf" value="${options.csrf ?? ''}">
<button type="submit">Log out</button>
</form>
</nav>
</header>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
${scripts.map((src) => html`<script src="${src}"></script>`)}
<script src="/assets/dashboard.js"></script>
</body>
</html>`;
}
