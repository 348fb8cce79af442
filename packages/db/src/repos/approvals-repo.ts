import { type Kysely, type QueryCreator, type Selectable, sql } from 'kysely';
import type { ApprovalsTable, Database } from '../database.ts';

export type Approval = Selectable<ApprovalsTable>;
export type ApprovalDecision = 'approved' | 'rejected';

/** Records a pending approval of a run's proposal. */
export async function insertApproval(
  db: Kysely<Database>,
  input: { threadId: number; runId: number; proposal: Record<string, unknown>; expiresAt: Date },
): Promise<Approval> {
  return db
    .insertInto('approvals')
    .values({
      thread_id: input.threadId,
      run_id: input.runId,
      proposal: JSON.stringify(input.proposal),
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Decides a pending, unexpired approval of the thread. Returns the row, or why not:
 * `missing` (no such approval here), `closed` (already decided, superseded or expired).
 */
export async function decideApproval(
  db: Kysely<Database>,
  input: { threadId: number; approvalId: number; decision: ApprovalDecision; by: string },
): Promise<Approval | 'missing' | 'closed'> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', input.approvalId)
      .where('thread_id', '=', input.threadId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return 'missing';
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
