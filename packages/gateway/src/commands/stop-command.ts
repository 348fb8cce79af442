import { hasLiveRun } from '@gridbot/db';
import type { ChatCommand } from './chat-command.ts';

/** `/stop`: asks the worker running the thread to stop; says so when nothing is running. */
export const stopCommand: ChatCommand = {
  name: 'stop',
  usage: '/stop',
  summary: 'cancels the run in progress here',
  pattern: /^\/stop(@\w+)?$/i,
  async run({ db, thread, message, reply, publish }) {
    if (!(await hasLiveRun(db, thread.id))) return reply('Nothing is running right now.');
    await publish({ type: 'stop', by: message.sender.name });
  },
};
