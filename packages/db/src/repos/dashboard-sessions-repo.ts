import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

/** A session a dashboard just issued. */
export interface NewDashboardSession {
  idHash: string;
  tokenFingerprint: string;
  expiresAt: Date;
}

/** Records a login; also drops expired sessions, so the table holds only live ones. */
export async function insertDashboardSession(
  db: Kysely<Database>,
  session: NewDashboardSession,
  now = new Date(),
): Promise<void> {
  await db.deleteFrom('dashboard_sessions').where('expires_at', '<=', now).execute();
  await db
    .insertInto('dashboard_sessions')
    .values({
      id_hash: session.idHash,
      token_fingerprint: session.tokenFingerprint,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** Whether a session exists, is unexpired and was issued under this token. */
export async function dashboardSessionLive(
  db: Kysely<Database>,
  idHash: string,
  tokenFingerprint: string,
  now = new Date(),
): Promise<boolean> {
  const row = await db
    .selectFrom('dashboard_sessions')
    .select('id_hash')
    .where('id_hash', '=', idHash)
    .where('token_fingerprint', '=', tokenFingerprint)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends one session (logout), for every dashboard at once. */
export async function deleteDashboardSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('dashboard_sessions').where('id_hash', '=', idHash).execute();
}

/**
 * Ends every session issued under another token (a dashboard started with a new one):
 * dashboards still running with the old token refuse them too. Returns how many ended.
 */
export async function deleteDashboardSessionsExcept(
  db: Kysely<Database>,
  tokenFingerprint: string,
): Promise<number> {
  const result = await db
    .deleteFrom('dashboard_sessions')
    .where('token_fingerprint', '<>', tokenFingerprint)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
