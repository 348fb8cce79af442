import type { ChatCommand } from './chat-command.ts';
import { describeTasks } from './describe-tasks.ts';

/** `/tasks`: the thread's scheduled tasks with their next run in the thread's zone. */
export const tasksCommand: ChatCommand = {
  name: 'tasks',
  usage: '/tasks',
  summary: "this chat's scheduled tasks and their next run",
  pattern: /^\/tasks(@\w+)?$/i,
  async run({ db, thread, reply }) {
    await reply(await describeTasks(db, thread));
  },
};
