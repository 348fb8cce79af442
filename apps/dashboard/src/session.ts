import { createHmac, randomBytes } from 'node:crypto';
import { timingSafeEqualText } from '@gridbot/core';

/** How long a browser session lasts after login. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Session cookies signed with a key derived from the dashboard token: a cookie is only
 * worth a look when it was issued under this token and is unexpired. Whether the session
 * is still open (not logged out) is the server's record ({@link DashboardSessions}).
 */
export class SessionSigner {
  readonly #key: Buffer;
  readonly #token: string;
  /** Names the token in the sessions table without revealing it. */
  readonly fingerprint: string;

  constructor(token: string) {
    this.#token = token;
    this.#key = createHmac('sha256', token).update('gridbot-dashboard-session').digest();
    this.fingerprint = createHmac('sha256', this.#key).update('fingerprint').digest('hex');
  }

  /** True when `candidate` is the dashboard token (constant time). */
  checkToken(candidate: string): boolean {
    return timingSafeEqualText(candidate, this.#token);
  }

  /** A new session cookie value: `<id>.<expires ms>.<signature>`. */
  issue(now = Date.now()): string {
    const id = randomBytes(18).toString('base64url');
    const body = `${id}.${now + SESSION_TTL_MS}`;
    return `${body}.${this.#sign(`session:${body}`)}`;
  }

  /** The session id of a valid, unexpired cookie value, or null. */
  verify(cookie: string | undefined, now = Date.now()): string | null {
    if (!cookie) return null;
    const parts = cookie.split('.');
    if (parts.length !== 3) return null;
    const [id, expires, signature] = parts as [string, string, string];
    if (!timingSafeEqualText(signature, this.#sign(`session:${id}.${expires}`))) return null;
    if (!/^\d+$/.test(expires) || Number(expires) <= now) return null;
    return id;
  }

  /** The CSRF token of a session: the page echoes it in a header or form field. */
  csrfFor(sessionId: string): string {
    return this.#sign(`csrf:${sessionId}`);
  }

  checkCsrf(sessionId: string, candidate: string | undefined): boolean {
    return !!candidate && timingSafeEqualText(candidate, this.csrfFor(sessionId));
  }

  #sign(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('base64url');
  }
}
