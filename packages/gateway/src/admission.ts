import type { InboundMessage } from '@gridbot/core';
import {
  admitDirectThread,
  type Database,
  findUser,
  type PairingRequest,
  requestPairing,
  type Thread,
} from '@gridbot/db';
import type { Kysely } from 'kysely';
import type { SystemReplies } from './system-replies.ts';

/** What became of a direct chat nobody registered yet. */
export type Admission =
  | { admitted: true; thread: Thread }
  | { admitted: false; pairingReply: number | null };

/**
 * Who may talk to the assistant in a direct chat: a user on the channel's allowlist, or one
 * paired earlier (`users.allowed`), is admitted and the chat registered; anyone else gets a
 * pairing code, once an hour (further messages meanwhile get no answer). Bots are never
 * admitted nor given codes.
 */
export async function admitDirectChat(
  db: Kysely<Database>,
  replies: SystemReplies,
  thread: Thread,
  message: InboundMessage,
  allowlisted: boolean,
): Promise<Admission> {
  const { sender } = message;
  const admitted =
    allowlisted ||
    (!sender.isBot &&
      (await findUser(db, message.channel, sender.platformUserId))?.allowed === true);
  if (admitted) return { admitted: true, thread: await admitDirectThread(db, thread.id) };
  if (sender.isBot) return { admitted: false, pairingReply: null };
  // The outbox row commits with the code, so the sweeper delivers it even if enqueueing fails.
  const pairingReply = await db.transaction().execute(async (trx) => {
    const { request, created } = await requestPairing(trx, {
      channel: message.channel,
      platformUserId: sender.platformUserId,
      userName: sender.name,
      jid: message.chat.jid,
      threadId: thread.id,
    });
    return created ? replies.insert(trx, thread.id, message, pairingText(request)) : null;
  });
  if (pairingReply !== null) await replies.enqueue(message.channel, pairingReply, thread.id);
  return { admitted: false, pairingReply };
}

/** What an unknown user is told in a direct chat, with the command that admits them. */
function pairingText(request: PairingRequest): string {
  const name = request.user_name ?? 'there';
  return (
    `Hi ${name}! I don't know you yet. Your pairing code is ${request.code} (valid for one hour). ` +
    `Ask an admin to approve it with: gridbot pairing approve ${request.code}`
  );
}
