import type { ChatCommand } from './chat-command.ts';
import { describeStats } from './describe-stats.ts';

/** `/stats`: the thread's messages, runs, tokens with a cost estimate, and activity. */
export const statsCommand: ChatCommand = {
  name: 'stats',
  usage: '/stats',
  summary: "this chat's messages, runs, tokens with a cost estimate, and activity",
  pattern: /^\/stats(@\w+)?$/i,
  async run({ db, thread, reply }) {
    await reply(await describeStats(db, thread));
  },
};
