import type { Sender } from '@gridbot/core';
import {
  type Approval,
  type ApprovalDecision,
  type Database,
  decideApproval,
  findApproval,
  findUser,
  recordAudit,
  type Thread,
} from '@gridbot/db';
import type { Kysely } from 'kysely';
import { isAdminSender } from './commands/is-admin.ts';

/** Who decides which approval of which thread, from a command or a button. */
export interface ApprovalDecisionInput {
  db: Kysely<Database>;
  thread: Thread;
  channel: string;
  sender: Sender;
  /** Platform user ids of the channel's admins (`ADMIN_USERS`). */
  admins: ReadonlySet<string>;
  approvalId: number;
  decision: ApprovalDecision;
}

/** What became of a decision: made (the approval, and who it names), or refused, saying why. */
export type ApprovalDecisionOutcome =
  | { decided: true; approval: Approval; by: string }
  | { decided: false; reason: string };

/**
 * Decides an approval as `/approve <id>` and the Approve / Reject buttons both do: only the
 * person whose message led to the request, or an admin, decides; never a bot. A decision is
 * made once (the row is locked and must be pending), so a press delivered twice decides once
 * and the second is told it is decided. A decision is written to `audit_log`; the caller asks
 * for the run that receives it.
 */
export async function decideApprovalAs(
  input: ApprovalDecisionInput,
): Promise<ApprovalDecisionOutcome> {
  const { db, thread, channel, sender, approvalId, decision } = input;
  if (sender.isBot)
    return { decided: false, reason: 'Approvals are decided by people, not by bots.' };
  const by = `${channel}:${sender.platformUserId} (${sender.name})`;
  const user = await findUser(db, channel, sender.platformUserId);
  const admin = await isAdminSender(db, { thread, channel, sender, admins: input.admins });
  const outcome = await decideApproval(db, {
    threadId: thread.id,
    approvalId,
    decision,
    by,
    decider: { userId: user?.id ?? null, admin },
  });
  if (outcome === 'missing')
    return { decided: false, reason: `There is no approval #${approvalId} in this chat.` };
  if (outcome === 'forbidden')
    return {
      decided: false,
      reason: `Only the person who asked, or an admin, can decide approval #${approvalId}.`,
    };
  if (outcome === 'closed')
    return { decided: false, reason: await whyClosed(db, thread.id, approvalId) };
  await recordAudit(db, {
    actor: by,
    action: `approval.${decision}`,
    target: `approval:${approvalId}`,
    details: { thread: thread.jid, proposal: outcome.proposal },
  });
  return { decided: true, approval: outcome, by };
}

/** Why an approval is not pending any more: decided (by whom), expired, or superseded. */
async function whyClosed(db: Kysely<Database>, threadId: number, approvalId: number) {
  const approval = await findApproval(db, threadId, approvalId);
  const head = `Approval #${approvalId} is no longer pending`;
  switch (approval?.status) {
    case 'approved':
    case 'rejected':
      return `${head}: it was ${approval.status}${approval.resolved_by ? ` by ${approval.resolved_by}` : ''}.`;
    case 'expired':
      return `${head}: it expired.`;
    case 'superseded':
      return `${head}: a newer message to the assistant superseded it.`;
    default:
      return `${head}.`;
  }
}

/** The request's text once decided: what was asked, and who decided (its buttons removed). */
export function decidedRequestText(approval: Approval, by: string): string {
  const summary = typeof approval.proposal.summary === 'string' ? approval.proposal.summary : '';
  const verb = approval.status === 'approved' ? 'Approved' : 'Rejected';
  return `Approval #${approval.id}${summary ? `: ${summary}` : ''}\n${verb} by ${by}.`;
}
