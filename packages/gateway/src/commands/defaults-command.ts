import type { ChatCommand } from './chat-command.ts';
import { runSettings } from './settings-command.ts';

/**
 * `/defaults show | set <key> <value> | reset [key] | help`: the sender's own settings, used
 * in every chat where the chat's own settings do not say otherwise.
 */
export const defaultsCommand: ChatCommand = {
  name: 'defaults',
  usage: '/defaults show | set <key> <value> | reset [key] | help',
  summary: 'your own settings, used wherever a chat does not set its own',
  pattern: /^\/defaults(@\w+)?(?:\s+([\s\S]*))?$/i,
  run(context) {
    return runSettings(context, 'user', context.match[2]);
  },
};
