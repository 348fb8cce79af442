import { createHash } from 'node:crypto';
import {
  type Database,
  dashboardSessionLive,
  deleteDashboardSession,
  deleteDashboardSessionsExcept,
  insertDashboardSession,
} from '@gridbot/db';
import type { Kysely } from 'kysely';
import { SESSION_TTL_MS, type SessionSigner } from './session.ts';

/**
 * Browser sessions, signed in the cookie and recorded in Postgres: a cookie opens the
 * dashboard only while its session's row exists. Logging out deletes the row, so every
 * dashboard instance refuses the cookie from the next request on; a dashboard started with
 * a new token deletes the rows of the old one. Each request reads the row (no cache), so
 * nothing outlives a logout anywhere.
 */
export class DashboardSessions {
  readonly #db: Kysely<Database>;
  readonly signer: SessionSigner;

  constructor(db: Kysely<Database>, signer: SessionSigner) {
    this.#db = db;
    this.signer = signer;
  }

  /** A new session: its cookie value and id. */
  async open(now = Date.now()): Promise<{ cookie: string; sessionId: string }> {
    const cookie = this.signer.issue(now);
    const sessionId = this.signer.verify(cookie, now)!;
    await insertDashboardSession(
      this.#db,
      {
        idHash: hashOf(sessionId),
        tokenFingerprint: this.signer.fingerprint,
        expiresAt: new Date(now + SESSION_TTL_MS),
      },
      new Date(now),
    );
    return { cookie, sessionId };
  }

  /** The session id of a cookie that is signed, unexpired and still open; else null. */
  async check(cookie: string | undefined, now = Date.now()): Promise<string | null> {
    const sessionId = this.signer.verify(cookie, now);
    if (!sessionId) return null;
    const live = await dashboardSessionLive(
      this.#db,
      hashOf(sessionId),
      this.signer.fingerprint,
      new Date(now),
    );
    return live ? sessionId : null;
  }

  /** Ends a session on every dashboard instance. */
  async close(sessionId: string): Promise<void> {
    await deleteDashboardSession(this.#db, hashOf(sessionId));
  }

  /** Ends the sessions another token issued; returns how many. */
  endOtherTokens(): Promise<number> {
    return deleteDashboardSessionsExcept(this.#db, this.signer.fingerprint);
  }
}

function hashOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}
