import type { ChatCommand } from './chat-command.ts';
import { runSettings } from './settings-command.ts';

/**
 * `/config show | set <key> <value> | reset [key] | help`: this chat's own settings, over
 * the defaults of whoever addresses the assistant. In a group only admins change them.
 */
export const configCommand: ChatCommand = {
  name: 'config',
  usage: '/config show | set <key> <value> | reset [key] | help',
  summary: "this chat's own settings (in a group, admins change them)",
  pattern: /^\/config(@\w+)?(?:\s+([\s\S]*))?$/i,
  run(context) {
    return runSettings(context, 'thread', context.match[2]);
  },
};
