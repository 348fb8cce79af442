import type { ChatCommand } from './chat-command.ts';
import { describeStatus, describeUnregistered } from './describe-status.ts';
import { senderUser } from './settings-command.ts';

/**
 * `/status`: registration and trigger, model and provider, workers and whether agents are
 * isolated, the thread's run, tokens today against the budget, approvals and tasks. In an
 * unregistered chat, only how to register it.
 */
export const statusCommand: ChatCommand = {
  name: 'status',
  usage: '/status',
  summary: "this chat's registration, model, workers, run, tokens today and pending approvals",
  pattern: /^\/status(@\w+)?$/i,
  answersUnregistered: true,
  async run(context) {
    const { db, thread, reply } = context;
    if (!thread.registered) return reply(describeUnregistered(thread));
    const [user, globals] = await Promise.all([senderUser(context), context.globals()]);
    await reply(
      await describeStatus(db, { thread, user, globals, assistantName: context.assistantName }),
    );
  },
};
