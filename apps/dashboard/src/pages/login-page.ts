import { html } from 'hono/html';

/** The login form: the dashboard token, nothing else. */
export function loginPage(options: { next: string; error?: string }) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · GridBot</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
</head>
<body class="login">
<main>
<h1>GridBot</h1>
<form method="post" action="/login">
<label for="token">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${options.next}">
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<button type="submit">Log in</button>
<p class="hint">The token is DASHBOARD_TOKEN, or the one printed at the first start and kept in DATA_DIR/dashboard-token.</p>
</form>
</main>
</body>
</html>`;
}
