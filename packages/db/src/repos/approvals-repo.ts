import { type Kysely, type QueryCreator, type Selectable, sql } from 'kysely';
import type { ApprovalsTable, Database } from '../database.ts';

export type Approval = Selectable<ApprovalsTable>;
export type ApprovalDecision = 'approved' | 'rejected';

/** Records a pending approval of a run's proposal. */
export async function insertApproval(
  db: Kysely<Database>,
  input: {
    threadId: number;
    runId: number;
    proposal: Record<string, unknown>;
    expiresAt: Date;
    /** The user whose message led to the request; null: only admins may decide it. */
    requestedBy?: number | null;
  },
): Promise<Approval> {
  return db
    .insertInto('approvals')
    .values({
      thread_id: input.threadId,
      run_id: input.runId,
      requested_by: input.requestedBy ?? null,
      proposal: JSON.stringify(input.proposal),
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One approval of a thread, or undefined (for saying why a closed one cannot be decided). */
export async function findApproval(
  db: Kysely<Database>,
  threadId: number,
  approvalId: number,
): Promise<Approval | undefined> {
  return db
    .selectFrom('approvals')
    .selectAll()
    .where('id', '=', approvalId)
    .where('thread_id', '=', threadId)
    .executeTakeFirst();
}

export interface DecideApprovalInput {
  threadId: number;
  approvalId: number;
  decision: ApprovalDecision;
  by: string;
}

/** Who is deciding: their user row, and whether they are an admin (who may decide any). */
export interface ApprovalDecider {
  userId: number | null;
  admin: boolean;
}

/**
 * Decides a pending, unexpired approval of the thread. Returns the row, or why not:
 * `missing` (no such approval here), `closed` (already decided, superseded or expired),
 * `forbidden` (the decider neither caused the request nor is an admin; when `decider` is
 * given — the dashboard and the CLI decide as operators and give none).
 */
export function decideApproval(
  db: Kysely<Database>,
  input: DecideApprovalInput & { decider: ApprovalDecider },
): Promise<Approval | 'missing' | 'closed' | 'forbidden'>;
export function decideApproval(
  db: Kysely<Database>,
  input: DecideApprovalInput,
): Promise<Approval | 'missing' | 'closed'>;
export async function decideApproval(
  db: Kysely<Database>,
  input: DecideApprovalInput & { decider?: ApprovalDecider },
): Promise<Approval | 'missing' | 'closed' | 'forbidden'> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', input.approvalId)
      .where('thread_id', '=', input.threadId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return 'missing';
    const { decider } = input;
    if (
      decider &&
      !decider.admin &&
      (row.requested_by === null || row.requested_by !== decider.userId)
    )
      return 'forbidden';
    if (row.status === 'pending' && row.expires_at && row.expires_at.getTime() <= Date.now()) {
      await trx
        .updateTable('approvals')
        .set({ status: 'expired', resolved_at: new Date() })
        .where('id', '=', row.id)
        .execute();
      return 'closed';
    }
    if (row.status !== 'pending') return 'closed';
    return trx
      .updateTable('approvals')
      .set({ status: input.decision, resolved_by: input.by, resolved_at: new Date() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** The statement that supersedes the thread's pending approvals (see `storeUserMessage`). */
export function pendingApprovalsSuperseded(db: QueryCreator<Database>, threadId: number) {
  return db
    .updateTable('approvals')
    .set({ status: 'superseded', resolved_at: new Date() })
    .where('thread_id', '=', threadId)
    .where('status', '=', 'pending');
}

/** A new user message supersedes the thread's pending approvals; returns how many. */
export async function supersedePendingApprovals(
  db: Kysely<Database>,
  threadId: number,
): Promise<number> {
  const result = await pendingApprovalsSuperseded(db, threadId).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Closed approvals of the thread whose outcome no run has received yet (expired ones included). */
export async function undeliveredDecisions(
  db: Kysely<Database>,
  threadId: number,
): Promise<Approval[]> {
  await db
    .updateTable('approvals')
    .set({ status: 'expired', resolved_at: new Date() })
    .where('thread_id', '=', threadId)
    .where('status', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
  return db
    .selectFrom('approvals')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('status', 'in', ['approved', 'rejected', 'superseded', 'expired'])
    .where('delivered_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** Marks decisions as received by a run. */
export async function markApprovalsDelivered(db: Kysely<Database>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('approvals')
    .set({ delivered_at: new Date() })
    .where('id', 'in', ids)
    .execute();
}

/**
 * Whether a platform user has written in the main thread (the admin's own chat): such users
 * are admins, who may decide any approval.
 */
export async function writesInMainThread(
  db: Kysely<Database>,
  channel: string,
  platformUserId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .innerJoin('threads', 'threads.id', 'messages.thread_id')
    .innerJoin('users', 'users.id', 'messages.sender_id')
    .select('messages.id')
    .where('threads.is_main', '=', true)
    .where('users.channel', '=', channel)
    .where('users.platform_user_id', '=', platformUserId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
