import { type Attachment, type InboundMessage, inboundMessageSchema } from '@gridbot/core';
import {
  clampInbound,
  isRecord,
  type NormalizeResult,
  nonEmpty,
  type Rec,
} from '../normalize-result.ts';
import { CHANNEL, groupJid, isStaffId, userJid } from './dingtalk-ids.ts';

/** What one robot message callback became. */
export type DingTalkNormalizeResult = NormalizeResult<InboundMessage>;

const str = nonEmpty;
const MESSAGE_ID = /^[A-Za-z0-9_.=+/-]{1,256}$/;
const CONVERSATION_ID = /^[A-Za-z0-9+/=_-]{1,120}$/;
const MEDIA = new Set(['picture', 'file', 'audio', 'video']);

/** `content` of a rich message: an object, or (as some clients send it) its JSON. */
function contentOf(data: Rec): Rec {
  if (isRecord(data.content)) return data.content;
  if (typeof data.content === 'string') {
    try {
      const parsed: unknown = JSON.parse(data.content);
      if (isRecord(parsed)) return parsed;
    } catch {}
  }
  return {};
}

function attachment(kind: 'image' | 'file', code: unknown, fileName: unknown): Attachment | null {
  const id = str(code);
  if (id === null || id.length > 512) return null;
  return {
    kind,
    platformFileId: id,
    mimeType: null,
    fileName: str(fileName),
    width: null,
    height: null,
    sizeBytes: null,
  };
}

/** The text and files of a message by its `msgtype`; null for a type GridBot does not read. */
function bodyOf(data: Rec, msgtype: string): { text: string; attachments: Attachment[] } | null {
  if (msgtype === 'text') {
    const text = isRecord(data.text) ? data.text.content : null;
    return typeof text === 'string' ? { text: text.trim(), attachments: [] } : null;
  }
  const content = contentOf(data);
  if (msgtype === 'richText') {
    const parts = Array.isArray(content.richText) ? content.richText : [];
    const lines: string[] = [];
    const attachments: Attachment[] = [];
    for (const part of parts) {
      if (!isRecord(part)) continue;
      if (typeof part.text === 'string') lines.push(part.text);
      if (part.type === 'picture') {
        const file = attachment('image', part.downloadCode, null);
        if (file) attachments.push(file);
      }
    }
    return { text: lines.join('').trim(), attachments };
  }
  if (MEDIA.has(msgtype)) {
    const file = attachment(
      msgtype === 'picture' ? 'image' : 'file',
      content.downloadCode,
      content.fileName,
    );
    // A voice message comes with DingTalk's transcript: the text the agent reads.
    const text = msgtype === 'audio' ? (str(content.recognition) ?? '') : '';
    return { text, attachments: file ? [file] : [] };
  }
  return null;
}

/**
 * Normalizes one robot message callback (`/v1.0/im/bot/messages/get`, its `data` parsed):
 * a group message (`conversationType` "2", where DingTalk gives the robot only messages
 * that @-mention it, `isInAtList`) or a one-to-one chat ("1"); text, rich text, pictures,
 * files, voice (with its transcript) and video, files as references by `downloadCode`.
 */
export function normalizeDingTalkMessage(
  data: unknown,
  robotCode: string,
): DingTalkNormalizeResult {
  if (!isRecord(data))
    return { outcome: 'invalid', id: null, reason: 'the callback data is not an object' };
  const id = str(data.msgId);
  if (id === null || !MESSAGE_ID.test(id))
    return { outcome: 'invalid', id: null, reason: 'no msgId' };
  const conversationId = str(data.conversationId);
  if (conversationId === null || !CONVERSATION_ID.test(conversationId))
    return { outcome: 'invalid', id, reason: 'no conversationId' };
  const type = data.conversationType;
  if (type !== '1' && type !== '2')
    return { outcome: 'invalid', id, reason: 'no conversationType' };
  const senderId = str(data.senderStaffId) ?? str(data.senderId);
  if (senderId === null) return { outcome: 'invalid', id, reason: 'no sender' };
  if (str(data.chatbotUserId) !== null && data.senderId === data.chatbotUserId)
    return { outcome: 'ignored', id, reason: 'the robot’s own message' };
  if (str(data.robotCode) !== null && data.robotCode !== robotCode)
    return { outcome: 'ignored', id, reason: 'another robot’s message' };
  const msgtype = str(data.msgtype);
  if (msgtype === null) return { outcome: 'invalid', id, reason: 'no msgtype' };
  const body = bodyOf(data, msgtype);
  if (body === null) return { outcome: 'ignored', id, reason: `msgtype ${msgtype}` };
  const isGroup = type === '2';
  const staffId = str(data.senderStaffId);
  if (!isGroup && (staffId === null || !isStaffId(staffId)))
    return {
      outcome: 'ignored',
      id,
      reason: 'a one-to-one chat with someone outside the organization (no staff id to answer)',
    };
  const createdAt = Number(data.createAt);
  const text = clampInbound(body.text);
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat: {
      jid: isGroup ? groupJid(conversationId) : userJid(staffId!),
      platformChatId: conversationId,
      title: isGroup ? str(data.conversationTitle) : str(data.senderNick),
      isGroup,
    },
    sender: {
      platformUserId: senderId,
      name: str(data.senderNick) ?? senderId,
      username: null,
      isBot: false,
    },
    platformMessageId: id,
    text,
    replyTo: null,
    // In a group DingTalk hands the robot only the messages that @-mention it.
    mentionsBot: isGroup && data.isInAtList !== false,
    sentAt: Number.isFinite(createdAt) && createdAt > 0 ? new Date(createdAt) : new Date(),
    attachments: body.attachments,
  });
  if (!parsed.success)
    return { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid' };
  return { outcome: 'event', event: parsed.data };
}
