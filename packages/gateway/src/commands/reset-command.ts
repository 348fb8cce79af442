import { clearThreadMemory, recordAudit, resetHistory } from '@gridbot/db';
import type { ChatCommand } from './chat-command.ts';
import { isAdmin } from './is-admin.ts';

/**
 * `/reset`: a fresh context. Earlier messages stay stored (and `/history` finds them) but
 * are no longer sent to the model; a run in progress keeps the context it started with.
 * Anyone may do that, it loses nothing. `/reset memory` also clears the thread's memory:
 * in a group only an admin may (see `isAdmin`), in a direct chat its person may.
 */
export const resetCommand: ChatCommand = {
  name: 'reset',
  usage: '/reset [memory]',
  summary:
    'starts a fresh context (older messages stay searchable); with memory, also forgets (admins in groups)',
  pattern: /^\/reset(@\w+)?(?:\s+(.*))?$/i,
  async run(context) {
    const { db, thread, message, match, reply } = context;
    const argument = match[2]?.trim().toLowerCase() ?? '';
    if (argument !== '' && argument !== 'memory') {
      return reply(
        'Usage: /reset (a fresh context) or /reset memory (also forget what I remember here).',
      );
    }
    const withMemory = argument === 'memory';
    if (withMemory && (message.sender.isBot || (thread.is_group && !(await isAdmin(context))))) {
      return reply(
        'Only an admin can clear the memory of a group; /reset alone starts a fresh context and keeps it.',
      );
    }
    await resetHistory(db, thread.id);
    const forgotten = withMemory ? await clearThreadMemory(db, thread.id) : 0;
    if (withMemory) {
      await recordAudit(db, {
        actor: `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`,
        action: 'thread.memory_cleared',
        target: `thread:${thread.id}`,
        details: { thread: thread.jid, entries: forgotten },
      });
    }
    await reply(
      withMemory
        ? `Fresh start: I no longer see the earlier messages of this chat, and forgot the ${forgotten} thing${forgotten === 1 ? '' : 's'} I remembered here. The messages stay stored: /history search finds them.`
        : 'Fresh start: I no longer see the earlier messages of this chat (they stay stored: /history search finds them). What I remember here is kept; /reset memory clears it too.',
    );
  },
};
