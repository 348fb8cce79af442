import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { approvalsApi } from './api/approvals-api.ts';
import { deadLettersApi } from './api/dead-letters-api.ts';
import { overviewApi } from './api/overview-api.ts';
import { pairingApi } from './api/pairing-api.ts';
import { tasksApi } from './api/tasks-api.ts';
import { threadConfigApi } from './api/thread-config-api.ts';
import { threadsApi } from './api/threads-api.ts';
import { usageApi } from './api/usage-api.ts';
import { usersApi } from './api/users-api.ts';
import { assetPath } from './asset-path.ts';
import { type AuthOptions, mountLogin, requireAuth } from './auth.ts';
import type { DashboardDeps, DashboardEnv } from './dashboard-env.ts';
import { approvalsPage } from './pages/approvals-page.ts';
import { chatPage } from './pages/chat-page.ts';
import { deadLettersPage } from './pages/dead-letters-page.ts';
import { overviewPage } from './pages/overview-page.ts';
import { pairingPage } from './pages/pairing-page.ts';
import { tasksPage } from './pages/tasks-page.ts';
import { threadsPage } from './pages/threads-page.ts';
import { usagePage } from './pages/usage-page.ts';
import { usersPage } from './pages/users-page.ts';

/** Where Bull Board is mounted. */
export const QUEUES_PATH = '/queues';

const require = createRequire(import.meta.url);
const publicFile = (name: string) =>
  assetPath(join('public', name), () => join(import.meta.dirname, 'public', name));
/** Files under /assets: the page scripts, the stylesheet, and Chart.js from its package. */
const ASSETS: Record<string, { path: string; type: string }> = {
  'dashboard.js': { path: publicFile('dashboard.js'), type: 'text/javascript' },
  'chat.js': { path: publicFile('chat.js'), type: 'text/javascript' },
  'task-form.js': { path: publicFile('task-form.js'), type: 'text/javascript' },
  'dashboard.css': { path: publicFile('dashboard.css'), type: 'text/css' },
  'favicon.svg': { path: publicFile('favicon.svg'), type: 'image/svg+xml' },
  // The package exports no UMD path; resolve its main file and take the UMD build beside it.
  'chart.umd.js': {
    path: assetPath(join('public', 'chart.umd.min.js'), () =>
      join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    ),
    type: 'text/javascript',
  },
  // The web chat renders replies' Markdown with it (raw HTML off: it is shown as text).
  'markdown-it.js': {
    path: assetPath(join('public', 'markdown-it.min.js'), () =>
      join(dirname(require.resolve('markdown-it')), 'markdown-it.min.js'),
    ),
    type: 'text/javascript',
  },
};

/**
 * The dashboard's web app: login, the admin pages, the JSON API under `/api`, Bull Board
 * under `/queues`, and the web chat. Everything but the login form needs the token.
 */
export function createDashboardApp(deps: DashboardDeps, auth: AuthOptions): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return c.json({ error: error.message }, error.status);
    }
    deps.logger.error({ err: error, path: c.req.path }, 'dashboard request failed');
    return c.json({ error: 'internal error: see the dashboard log' }, 500);
  });
  app.use('*', requireAuth(auth));
  mountLogin(app, auth);
  app.get('/assets/:file', async (c) => {
    const asset = ASSETS[c.req.param('file')];
    if (!asset) return c.notFound();
    return c.body(await readFile(asset.path), 200, {
      'content-type': `${asset.type}; charset=utf-8`,
      'cache-control': 'no-cache',
    });
  });

  // Browsers ask for it whatever the page says.
  app.get('/favicon.ico', (c) => c.redirect('/assets/favicon.svg', 301));
  app.route('/api', overviewApi(deps));
  app.route('/api', threadsApi(deps));
  app.route('/api', threadConfigApi(deps));
  app.route('/api', usersApi(deps));
  app.route('/api', tasksApi(deps));
  app.route('/api', approvalsApi(deps));
  app.route('/api', deadLettersApi(deps));
  app.route('/api', usageApi(deps));
  app.route('/api', pairingApi(deps));
  if (deps.web) app.route('/api/chat', deps.web.api());
  if (deps.terminal) app.route('/api/terminal', deps.terminal.api());

  app.route('/', overviewPage(deps));
  app.route('/', threadsPage(deps));
  app.route('/', tasksPage(deps));
  app.route('/', approvalsPage(deps));
  app.route('/', deadLettersPage(deps));
  app.route('/', usagePage(deps));
  app.route('/', usersPage(deps));
  app.route('/', pairingPage(deps));
  app.route('/', chatPage(deps.web !== null));
  // Bull Board's UI lists queues from this call: show queues created since the last look.
  app.get(`${QUEUES_PATH}/api/queues`, async (_c, next) => {
    await deps.board.refresh(2_000);
    await next();
  });
  // Bull Board's page links web fonts from Google: the dashboard asks no outside host, so
  // those links go and the board falls back to the system font.
  app.use(`${QUEUES_PATH}/*`, async (c, next) => {
    await next();
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    const page = await c.res.text();
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(withoutOutsideLinks(page), { status: c.res.status, headers });
  });
  app.route(QUEUES_PATH, deps.board.app as unknown as Hono<DashboardEnv>);
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404)
      : c.text('Not found', 404),
  );
  return app;
}

/** An HTML page without its `<link>`s to other hosts (web fonts, preconnects). */
export function withoutOutsideLinks(page: string): string {
  return page.replace(/<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>/gi, '');
}
