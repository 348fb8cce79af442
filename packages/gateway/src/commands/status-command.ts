import type { ChatCommand } from './chat-command.ts';
import { describeStatus } from './describe-status.ts';

/** `/status`: the workers, whether agents are isolated, and the thread's run and tasks. */
export const statusCommand: ChatCommand = {
  name: 'status',
  usage: '/status',
  summary: "the workers up, whether agents are isolated, and this chat's run and tasks",
  pattern: /^\/status(@\w+)?$/i,
  async run({ db, thread, reply }) {
    await reply(await describeStatus(db, thread));
  },
};
