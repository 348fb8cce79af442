import { buildJid, GridBotError, type Jid, parseJid } from '@gridbot/core';

export const CHANNEL = 'feishu';
const CHAT_ID = /^oc_[A-Za-z0-9]{1,64}$/;
const MESSAGE_ID = /^om_[A-Za-z0-9_-]{1,64}$/;

export const isChatId = (value: string): boolean => CHAT_ID.test(value);
export const isMessageId = (value: string): boolean => MESSAGE_ID.test(value);

/**
 * A chat's JID: `feishu:<chat_id>`; a thread of a topic group (or a reply thread) is
 * `feishu:<chat_id>:<root message id>`, the message its replies hang under.
 */
export function feishuJid(chatId: string, rootId: string | null): Jid {
  return buildJid(CHANNEL, chatId, rootId);
}

/** Where a JID's messages go: the chat, and the thread root to reply under (if any). */
export function targetOf(jid: Jid): { chatId: string; rootId: string | null } {
  const { channel, chatId, subId } = parseJid(jid);
  if (channel !== CHANNEL || !isChatId(chatId))
    throw new GridBotError(`${jid} is not a Feishu chat.`);
  if (subId !== null && !isMessageId(subId))
    throw new GridBotError(`${jid} names no Feishu thread root.`);
  return { chatId, rootId: subId };
}
