import type { Sender } from '@gridbot/core';
import { type Database, type Thread, writesInMainThread } from '@gridbot/db';
import type { Kysely } from 'kysely';
import type { CommandContext } from './chat-command.ts';

/**
 * Admins may decide any approval and change any chat's settings: the channel's
 * `ADMIN_USERS`, and the main thread's users (anyone typing in the main thread, or who has
 * written there). Never a bot.
 */
export async function isAdmin({ db, thread, message, admins }: CommandContext): Promise<boolean> {
  return isAdminSender(db, { thread, channel: message.channel, sender: message.sender, admins });
}

/** {@link isAdmin} for a sender outside a command (a button press). */
export async function isAdminSender(
  db: Kysely<Database>,
  who: { thread: Thread; channel: string; sender: Sender; admins: ReadonlySet<string> },
): Promise<boolean> {
  const { thread, channel, sender, admins } = who;
  if (sender.isBot) return false;
  return (
    admins.has(sender.platformUserId) ||
    thread.is_main ||
    (await writesInMainThread(db, channel, sender.platformUserId))
  );
}

/** Who the audit log names for a chat user's action: `<channel>:<user id> (<name>)`. */
export function actorOf({ message }: Pick<CommandContext, 'message'>): string {
  return `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`;
}
