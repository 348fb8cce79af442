import { randomInt } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, PairingRequestsTable } from '../database.ts';
import { recordAudit } from './audit-log-repo.ts';
import { admitDirectThread } from './threads-repo.ts';

/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L). */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 6;
/** How long a pairing code can be approved. */
export const PAIRING_TTL_MS = 60 * 60 * 1000;
/** Tries before giving up on finding an unused code (a collision is already rare). */
const CODE_ATTEMPTS = 5;
const UNIQUE_VIOLATION = '23505';
/** First key of this module's advisory locks ('pair'), apart from any other use of them. */
const LOCK_NAMESPACE = 0x70616972;

export type PairingStatus = 'pending' | 'approved' | 'expired';

/** A pairing request with its status as of the `now` it was read at. */
export type PairingRequest = Selectable<PairingRequestsTable> & { status: PairingStatus };

export interface RequestPairingInput {
  channel: string;
  platformUserId: string;
  userName: string | null;
  /** JID of the direct chat the code is given in. */
  jid: string;
  threadId: number;
  now?: Date;
  /** Draws a code (default {@link generatePairingCode}); tests pass a fixed sequence. */
  newCode?: () => string;
}

export type ApprovePairingResult =
  | { outcome: 'approved'; request: PairingRequest }
  | { outcome: 'missing' }
  | { outcome: 'expired' }
  | { outcome: 'already'; request: PairingRequest };

/** A fresh random code, e.g. `K7QX2M`. */
export function generatePairingCode(): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) {
    code += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
  }
  return code;
}

function withStatus(row: Selectable<PairingRequestsTable>, now: Date): PairingRequest {
  const status: PairingStatus =
    row.approved_at !== null
      ? 'approved'
      : row.expires_at.getTime() <= now.getTime()
        ? 'expired'
        : 'pending';
  return { ...row, status };
}

/** Runs `fn` in the caller's transaction when there is one, else in a new one. */
async function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * The user's unexpired, unapproved request (`created: false`), or a new one with a fresh
 * code valid for an hour (`created: true`), so the caller tells the user their code once
 * per hour at most. Concurrent calls for one user are serialized by a transaction-scoped
 * advisory lock; pass a transaction to hold it until the caller commits.
 */
export async function requestPairing(
  db: Kysely<Database>,
  input: RequestPairingInput,
): Promise<{ request: PairingRequest; created: boolean }> {
  const now = input.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const key = `${input.channel}:${input.platformUserId}`;
    await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${key}))`.execute(trx);
    const open = await trx
      .selectFrom('pairing_requests')
      .selectAll()
      .where('channel', '=', input.channel)
      .where('platform_user_id', '=', input.platformUserId)
      .where('approved_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (open) return { request: withStatus(open, now), created: false };
    for (let attempt = 1; ; attempt++) {
      // A code collision must not abort the caller's transaction: insert in a savepoint.
      await sql`savepoint pairing_code`.execute(trx);
      try {
        const row = await trx
          .insertInto('pairing_requests')
          .values({
            channel: input.channel,
            platform_user_id: input.platformUserId,
            user_name: input.userName,
            jid: input.jid,
            thread_id: input.threadId,
            code: (input.newCode ?? generatePairingCode)(),
            created_at: now,
            expires_at: new Date(now.getTime() + PAIRING_TTL_MS),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await sql`release savepoint pairing_code`.execute(trx);
        return { request: withStatus(row, now), created: true };
      } catch (error) {
        await sql`rollback to savepoint pairing_code`.execute(trx);
        const { code, constraint } = error as { code?: string; constraint?: string };
        const collision = code === UNIQUE_VIOLATION && constraint === 'pairing_requests_code_key';
        if (!collision || attempt >= CODE_ATTEMPTS) throw error;
      }
    }
  });
}

/** Pairing requests, newest first: only pending ones (unapproved, unexpired) unless `all`. */
export async function listPairingRequests(
  db: Kysely<Database>,
  options: { status?: 'pending' | 'all'; now?: Date } = {},
): Promise<PairingRequest[]> {
  const now = options.now ?? new Date();
  let query = db.selectFrom('pairing_requests').selectAll().orderBy('id', 'desc');
  if ((options.status ?? 'pending') === 'pending') {
    query = query.where('approved_at', 'is', null).where('expires_at', '>', now);
  }
  return (await query.execute()).map((row) => withStatus(row, now));
}

/**
 * Approves a pending code (any letter case), in one transaction: marks the request
 * approved, allows the user (creating their row if needed), registers the direct chat's
 * thread to answer without a trigger, and writes `pairing.approved` to the audit log.
 */
export async function approvePairing(
  db: Kysely<Database>,
  input: { code: string; by: string; now?: Date },
): Promise<ApprovePairingResult> {
  const now = input.now ?? new Date();
  const code = input.code.trim().toUpperCase();
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('pairing_requests')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { outcome: 'missing' };
    if (row.approved_at !== null) return { outcome: 'already', request: withStatus(row, now) };
    if (row.expires_at.getTime() <= now.getTime()) return { outcome: 'expired' };
    const approved = await trx
      .updateTable('pairing_requests')
      .set({ approved_at: now, approved_by: input.by })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('users')
      .values({
        channel: row.channel,
        platform_user_id: row.platform_user_id,
        name: row.user_name ?? row.platform_user_id,
        username: null,
        allowed: true,
        paired_at: now,
        config: '{}',
        last_seen: now,
      })
      .onConflict((oc) =>
        oc.columns(['channel', 'platform_user_id']).doUpdateSet({ allowed: true, paired_at: now }),
      )
      .execute();
    await admitDirectThread(trx, row.thread_id);
    await recordAudit(trx, {
      actor: input.by,
      action: 'pairing.approved',
      target: `user:${row.channel}:${row.platform_user_id}`,
      details: { jid: row.jid, code: row.code },
      at: now,
    });
    return { outcome: 'approved', request: withStatus(approved, now) };
  });
}
