import { approvePairing } from '@gridbot/db';
import type { ChatCommand } from './chat-command.ts';

/**
 * `/pair ABC123`: the admin's own chat (the main thread) approves a pairing code; other
 * chats are told where to do it. A bot, even in the main chat, never approves one.
 */
export const pairCommand: ChatCommand = {
  name: 'pair',
  usage: '/pair <code>',
  summary: 'admits the direct-chat user who was given that pairing code',
  mainOnly: true,
  pattern: /^\/pair(@\w+)?\s+([A-Za-z0-9]{4,12})$/i,
  async run({ db, thread, message, match, reply }) {
    if (message.sender.isBot) return reply('Pairing codes are approved by people, not by bots.');
    if (!thread.is_main) {
      return reply(
        'Pairing codes are approved in the main chat, with gridbot pairing approve <code>, or in the dashboard.',
      );
    }
    const code = match[2]!;
    const by = `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`;
    const result = await approvePairing(db, { code, by });
    await reply(
      result.outcome === 'approved'
        ? `Approved ${result.request.user_name ?? result.request.platform_user_id}: ${result.request.jid} is answered from now on.`
        : result.outcome === 'already'
          ? `Code ${result.request.code} was approved already.`
          : result.outcome === 'expired'
            ? `Code ${code.toUpperCase()} has expired; the user gets a new one with their next message.`
            : `There is no pairing code ${code.toUpperCase()}.`,
    );
  },
};
