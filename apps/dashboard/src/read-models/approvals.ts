import type { Approval, Database } from '@gridbot/db';
import type { Kysely } from 'kysely';

/** What an approval's status is as of now: a pending one past its deadline is `expired`. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'superseded' | 'expired';

/** An approval a run asked for, as the dashboard shows it. */
export interface ApprovalView {
  id: number;
  threadId: number;
  jid: string;
  threadTitle: string | null;
  runId: number | null;
  /** What the agent proposes to do (tool name and arguments, as the run sent them). */
  proposal: Record<string, unknown>;
  status: ApprovalStatus;
  requestedAt: string;
  expiresAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export function approvalView(
  row: Approval,
  thread: { jid: string; title: string | null },
  now = Date.now(),
): ApprovalView {
  const lapsed =
    row.status === 'pending' && row.expires_at !== null && row.expires_at.getTime() <= now;
  return {
    id: row.id,
    threadId: row.thread_id,
    jid: thread.jid,
    threadTitle: thread.title,
    runId: row.run_id,
    proposal: row.proposal,
    status: lapsed ? 'expired' : row.status,
    requestedAt: row.requested_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

/**
 * Approvals of every thread, newest first: only those that can still be decided (pending
 * and not past their deadline), or the last 500 of any status for `all`.
 */
export async function listApprovals(
  db: Kysely<Database>,
  status: 'pending' | 'all',
): Promise<ApprovalView[]> {
  const now = new Date();
  let query = db
    .selectFrom('approvals')
    .innerJoin('threads', 'threads.id', 'approvals.thread_id')
    .selectAll('approvals')
    .select(['threads.jid as jid', 'threads.title as thread_title'])
    .orderBy('approvals.id', 'desc')
    .limit(500);
  if (status === 'pending') {
    query = query
      .where('approvals.status', '=', 'pending')
      .where((eb) =>
        eb.or([eb('approvals.expires_at', 'is', null), eb('approvals.expires_at', '>', now)]),
      );
  }
  const rows = await query.execute();
  return rows.map((row) =>
    approvalView(row, { jid: row.jid, title: row.thread_title }, now.getTime()),
  );
}
