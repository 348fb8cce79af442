import type { ActionAnswer, InboundAction } from '@gridbot/core';
import { type Database, findThreadByJid } from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';
import { decideApprovalAs, decidedRequestText } from './approval-decision.ts';

export interface ApprovalPressDeps {
  db: Kysely<Database>;
  /** Platform user ids of the channel's admins (`ADMIN_USERS`). */
  admins: ReadonlySet<string>;
  requestDrain(threadId: number): Promise<void>;
  logger: Logger;
  /** Answers the press on the platform (a refusal is logged: the decision stands either way). */
  answer(answer: ActionAnswer): Promise<void>;
}

/**
 * A press on an approval request's button (`approve:<id>`, `reject:<id>`): decided by the
 * same rules as `/approve <id>` (`decideApprovalAs`), answered to the presser, the request
 * edited to show who decided (its buttons removed), and the run that receives the decision
 * asked for. A refused press (not theirs to decide, decided already, expired, superseded) is
 * told why and changes nothing; so a press delivered twice decides once.
 */
export async function handleApprovalPress(
  action: InboundAction,
  deps: ApprovalPressDeps,
): Promise<'approval-decided' | 'approval-refused' | 'ignored'> {
  const { db } = deps;
  const answer = async (reply: ActionAnswer) => {
    try {
      await deps.answer(reply);
    } catch (error) {
      deps.logger.warn(
        { err: error, jid: action.chat.jid, actionId: action.actionId },
        'could not answer a button press',
      );
    }
  };
  const thread = await findThreadByJid(db, action.chat.jid);
  const pressed = /^(approve|reject):(\d{1,12})$/.exec(action.data);
  if (!thread?.registered || !pressed) {
    await answer({ text: 'This button does nothing here any more.', edit: null });
    return 'ignored';
  }
  const approvalId = Number(pressed[2]);
  const outcome = await decideApprovalAs({
    db,
    thread,
    channel: action.channel,
    sender: action.sender,
    admins: deps.admins,
    approvalId,
    decision: pressed[1] === 'approve' ? 'approved' : 'rejected',
  });
  deps.logger.debug(
    { jid: action.chat.jid, approvalId, decided: outcome.decided },
    'approval button pressed',
  );
  if (!outcome.decided) {
    await answer({ text: outcome.reason, edit: null });
    return 'approval-refused';
  }
  const verb = outcome.approval.status === 'approved' ? 'Approved' : 'Rejected';
  // Answered before anything else: Discord wants an answer within 3 seconds of the press.
  await answer({
    text: `${verb} #${approvalId}.`,
    edit: decidedRequestText(outcome.approval, action.sender.name),
  });
  await deps.requestDrain(thread.id);
  return 'approval-decided';
}
