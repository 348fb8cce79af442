import { decideApproval, recordAudit } from '@gridbot/db';
import type { ChatCommand } from './chat-command.ts';

/** `/approve 12` or `/reject 12`: decides a pending approval of the thread and asks for the run that receives it. */
export const approvalCommand: ChatCommand = {
  name: 'approval',
  pattern: /^\/(approve|reject)(@\w+)?\s+#?(\d+)$/i,
  async run({ db, thread, message, match, reply, requestDrain }) {
    const decision = match[1]!.toLowerCase() === 'approve' ? 'approved' : 'rejected';
    const approvalId = Number(match[3]);
    const by = `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`;
    const outcome = await decideApproval(db, { threadId: thread.id, approvalId, decision, by });
    if (outcome === 'missing') return reply(`There is no approval #${approvalId} in this chat.`);
    if (outcome === 'closed') return reply(`Approval #${approvalId} is no longer pending.`);
    await recordAudit(db, {
      actor: by,
      action: `approval.${decision}`,
      target: `approval:${approvalId}`,
      details: { thread: message.chat.jid, proposal: outcome.proposal },
    });
    await requestDrain();
  },
};
