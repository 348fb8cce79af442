import type { ChatCommand } from './chat-command.ts';
import { describeStatus } from './describe-status.ts';

/** `/status`: the workers, whether agents are isolated, and the thread's run and tasks. */
export const statusCommand: ChatCommand = {
  name: 'status',
  pattern: /^\/status(@\w+)?$/i,
  async run({ db, thread, reply }) {
    await reply(await describeStatus(db, thread));
  },
};
