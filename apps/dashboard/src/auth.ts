import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { DashboardSessions } from './dashboard-sessions.ts';
import { loginPage } from './pages/login-page.ts';

export const SESSION_COOKIE = 'gridbot_session';
/** The name axios (and so Bull Board's UI) reads and echoes as `X-XSRF-TOKEN`. */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';
export const CSRF_FIELD = '_csrf';

/** What the auth middleware leaves on the context. */
export interface AuthVariables {
  /** `bearer` for API clients, `session` for browsers. */
  auth: { kind: 'bearer' } | { kind: 'session'; sessionId: string; csrf: string };
}

export interface AuthOptions {
  sessions: DashboardSessions;
  /** Mark cookies `Secure` (the dashboard is served over HTTPS). */
  secureCookies: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Paths anyone may load: the login form and the static files it uses. */
const PUBLIC = [/^\/login$/, /^\/assets\//, /^\/favicon\.ico$/];

/**
 * Every request needs the token: `Authorization: Bearer <token>` (API clients) or the
 * session cookie set at login, while its session is open (browsers; see
 * `DashboardSessions`). Cookie-authenticated requests that change state must echo the
 * session's CSRF token in `X-XSRF-TOKEN` or the `_csrf` form field.
 * Unauthenticated API and Bull Board requests get 401; pages redirect to the login.
 */
export function requireAuth(options: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const { sessions } = options;
  const { signer } = sessions;
  return async (c, next) => {
    const path = c.req.path;
    if (PUBLIC.some((pattern) => pattern.test(path))) return next();
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match || !signer.checkToken(match[1]!)) return unauthorized(c, 'wrong bearer token');
      c.set('auth', { kind: 'bearer' });
      return next();
    }
    const sessionId = await sessions.check(getCookie(c, SESSION_COOKIE));
    if (!sessionId) return unauthorized(c, 'log in first');
    const csrf = signer.csrfFor(sessionId);
    if (!SAFE_METHODS.has(c.req.method)) {
      const given = c.req.header(CSRF_HEADER) ?? (await formField(c, CSRF_FIELD));
      if (!signer.checkCsrf(sessionId, given)) {
        return c.json({ error: 'CSRF token missing or wrong: reload the page and try again' }, 403);
      }
    }
    c.set('auth', { kind: 'session', sessionId, csrf });
    return next();
  };
}

/** Login and logout. */
export function mountLogin(app: Hono<{ Variables: AuthVariables }>, options: AuthOptions): void {
  const { sessions, secureCookies } = options;
  const { signer } = sessions;
  const cookie = { path: '/', sameSite: 'Strict', secure: secureCookies } as const;
  app.get('/login', (c) => c.html(loginPage({ next: safeNext(c.req.query('next')) })));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    if (!signer.checkToken(token)) {
      return c.html(loginPage({ next, error: 'That token is not right.' }), 401);
    }
    const { cookie: session, sessionId } = await sessions.open();
    setCookie(c, SESSION_COOKIE, session, { ...cookie, httpOnly: true, maxAge: 12 * 3600 });
    setCookie(c, CSRF_COOKIE, signer.csrfFor(sessionId), { ...cookie, maxAge: 12 * 3600 });
    return c.redirect(next, 303);
  });
  app.post('/logout', async (c) => {
    const auth = c.get('auth');
    // Ended for every dashboard instance, not only in this browser.
    if (auth.kind === 'session') await sessions.close(auth.sessionId);
    deleteCookie(c, SESSION_COOKIE, cookie);
    deleteCookie(c, CSRF_COOKIE, cookie);
    return c.redirect('/login', 303);
  });
}

function unauthorized(c: Context, reason: string): Response {
  const path = c.req.path;
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/queues')) {
    return c.json({ error: `unauthorized: ${reason}` }, 401, {
      'www-authenticate': 'Bearer realm="gridbot"',
    });
  }
  return c.redirect(
    `/login?next=${encodeURIComponent(c.req.url.slice(new URL(c.req.url).origin.length))}`,
    302,
  );
}

async function formField(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (
    !type.startsWith('application/x-www-form-urlencoded') &&
    !type.startsWith('multipart/form-data')
  )
    return undefined;
  const body = await c.req.parseBody();
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** Only local paths, so the login cannot be turned into an open redirect. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/';
}
