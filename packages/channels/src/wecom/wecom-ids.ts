import { buildJid, GridBotError, type Jid, parseJid } from '@gridbot/core';

export const CHANNEL = 'wecom';
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const CHAT_ID = /^[A-Za-z0-9_-]{1,32}$/;

export const isUserId = (value: string): boolean => USER_ID.test(value);

/** A person's direct chat with the app: `wecom:<userid>`. */
export const userJid = (userId: string): Jid => buildJid(CHANNEL, userId);
/** A group chat the app made (`appchat`): `wecom:chat:<chatid>`. */
export const appChatJid = (chatId: string): Jid => buildJid(CHANNEL, 'chat', chatId);

export type WeComTarget = { kind: 'user'; userId: string } | { kind: 'chat'; chatId: string };

export function targetOf(jid: Jid): WeComTarget {
  const { channel, chatId, subId } = parseJid(jid);
  if (channel !== CHANNEL) throw new GridBotError(`${jid} is not a WeCom chat.`);
  // `chat` is the group chats' prefix, never a user.
  if (chatId === 'chat') {
    if (subId !== null && CHAT_ID.test(subId)) return { kind: 'chat', chatId: subId };
  } else if (subId === null && isUserId(chatId)) return { kind: 'user', userId: chatId };
  throw new GridBotError(`${jid} names no WeCom user or group chat.`);
}
