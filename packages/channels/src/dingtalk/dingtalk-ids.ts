import { buildJid, GridBotError, type Jid, parseJid } from '@gridbot/core';

export const CHANNEL = 'dingtalk';
/** A one-to-one chat's JID: `dingtalk:u.<staff id>`, the id the robot API sends to. */
export const USER_PREFIX = 'u.';
const STAFF_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const JID_SAFE = /^[A-Za-z0-9_.-]{1,126}$/;

/**
 * A group's JID: its conversation id (`cid…==`, base64) in the JID's alphabet (`+` → `-`,
 * `/` → `_`, `=` → `.`), reversed exactly by {@link conversationIdOf}.
 */
export function groupJid(conversationId: string): Jid {
  const safe = conversationId.replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '.');
  return buildJid(CHANNEL, safe);
}

export function userJid(staffId: string): Jid {
  return buildJid(CHANNEL, `${USER_PREFIX}${staffId}`);
}

export const isStaffId = (value: string): boolean => STAFF_ID.test(value);

/** Where a JID's messages go: a group's open conversation id, or one person's staff id. */
export type DingTalkTarget =
  | { kind: 'group'; conversationId: string }
  | { kind: 'user'; staffId: string };

export function targetOf(jid: Jid): DingTalkTarget {
  const { channel, chatId } = parseJid(jid);
  if (channel !== CHANNEL) throw new GridBotError(`${jid} is not a DingTalk chat.`);
  if (chatId.startsWith(USER_PREFIX))
    return { kind: 'user', staffId: chatId.slice(USER_PREFIX.length) };
  return { kind: 'group', conversationId: conversationIdOf(chatId) };
}

/** The conversation id a group JID's id stands for. */
export function conversationIdOf(safe: string): string {
  if (!JID_SAFE.test(safe)) throw new GridBotError(`"${safe}" is not a DingTalk conversation id.`);
  return safe.replaceAll('-', '+').replaceAll('_', '/').replaceAll('.', '=');
}
