import { decideApproval, findUser, recordAudit } from '@gridbot/db';
import type { ChatCommand } from './chat-command.ts';
import { isAdmin } from './is-admin.ts';

/**
 * `/approve 12` or `/reject 12`: decides a pending approval of the thread and asks for the
 * run that receives it. Only the person whose message led to the request, or an admin,
 * decides; never a bot.
 */
export const approvalCommand: ChatCommand = {
  name: 'approval',
  usage: '/approve <id> | /reject <id>',
  summary: 'decides an approval the assistant asked for (the person who asked, or an admin)',
  pattern: /^\/(approve|reject)(@\w+)?\s+#?(\d+)$/i,
  async run(context) {
    const { db, thread, message, match, reply, requestDrain } = context;
    const decision = match[1]!.toLowerCase() === 'approve' ? 'approved' : 'rejected';
    const approvalId = Number(match[3]);
    if (message.sender.isBot) return reply('Approvals are decided by people, not by bots.');
    const by = `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`;
    const user = await findUser(db, message.channel, message.sender.platformUserId);
    const outcome = await decideApproval(db, {
      threadId: thread.id,
      approvalId,
      decision,
      by,
      decider: { userId: user?.id ?? null, admin: await isAdmin(context) },
    });
    if (outcome === 'missing') return reply(`There is no approval #${approvalId} in this chat.`);
    if (outcome === 'closed') return reply(`Approval #${approvalId} is no longer pending.`);
    if (outcome === 'forbidden')
      return reply(`Only the person who asked, or an admin, can decide approval #${approvalId}.`);
    await recordAudit(db, {
      actor: by,
      action: `approval.${decision}`,
      target: `approval:${approvalId}`,
      details: { thread: message.chat.jid, proposal: outcome.proposal },
    });
    await requestDrain();
  },
};
