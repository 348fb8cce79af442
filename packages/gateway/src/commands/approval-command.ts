import { decideApprovalAs } from '../approval-decision.ts';
import type { ChatCommand } from './chat-command.ts';

/**
 * `/approve 12` or `/reject 12`: decides a pending approval of the thread and asks for the
 * run that receives it. Only the person whose message led to the request, or an admin,
 * decides; never a bot (the same rules as the request's buttons: `decideApprovalAs`).
 */
export const approvalCommand: ChatCommand = {
  name: 'approval',
  usage: '/approve <id> | /reject <id>',
  summary: 'decides an approval the assistant asked for (the person who asked, or an admin)',
  pattern: /^\/(approve|reject)(@\w+)?\s+#?(\d+)$/i,
  async run(context) {
    const { db, thread, message, match, reply, requestDrain, admins } = context;
    const outcome = await decideApprovalAs({
      db,
      thread,
      channel: message.channel,
      sender: message.sender,
      admins,
      approvalId: Number(match[3]),
      decision: match[1]!.toLowerCase() === 'approve' ? 'approved' : 'rejected',
    });
    if (!outcome.decided) return reply(outcome.reason);
    await requestDrain();
  },
};
