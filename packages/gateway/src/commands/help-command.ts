import type { ChatCommand } from './chat-command.ts';

/**
 * `/help`: the commands answered in this chat, one line each, read from the gateway's
 * command table at the time (so plugins' commands and new entries show up by themselves).
 * Main-chat-only commands are listed in the main chat only. Telegram's `/start` gets it too.
 */
export const helpCommand: ChatCommand = {
  name: 'help',
  usage: '/help',
  summary: 'this list',
  // Telegram clients send `/start` (with a deep-link payload, maybe) when a chat is opened.
  pattern: /^\/(?:help(@[\w.]+)?|start(@[\w.]+)?(\s+\S+)?)$/i,
  async run({ thread, commands, reply }) {
    await reply(describeHelp(commands, thread.is_main));
  },
};

/** The `/help` text for a chat (`main`: the main chat, where main-only commands work too). */
export function describeHelp(commands: readonly ChatCommand[], main: boolean): string {
  const lines = commands
    .filter((command) => main || !command.mainOnly)
    .map((command) => {
      const notes = [command.adminOnly && 'admins only', command.mainOnly && 'main chat only'];
      const note = notes.filter(Boolean).join(', ');
      return `${command.usage} — ${command.summary}${note ? ` (${note})` : ''}`;
    });
  return ['Commands here:', ...lines, 'Anything else addressed to me goes to the assistant.'].join(
    '\n',
  );
}
