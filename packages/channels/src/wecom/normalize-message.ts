import {
  type Attachment,
  type InboundAction,
  type InboundMessage,
  inboundActionSchema,
  inboundMessageSchema,
} from '@gridbot/core';
import { clampInbound, isRecord, type NormalizeResult, type Rec } from '../normalize-result.ts';
import { CHANNEL, isUserId, userJid } from './wecom-ids.ts';

/** What one decrypted callback became. */
export type WeComNormalizeResult = NormalizeResult<InboundMessage | InboundAction>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : null;
const MEDIA = new Set(['image', 'voice', 'video']);

function attachmentOf(type: string, message: Rec): Attachment | null {
  const mediaId = text(message.MediaId);
  if (mediaId === null || mediaId.length > 512) return null;
  return {
    kind: type === 'image' ? 'image' : 'file',
    platformFileId: mediaId,
    mimeType: null,
    fileName: null,
    width: null,
    height: null,
    sizeBytes: null,
  };
}

/**
 * Normalizes one decrypted callback message (its XML as an object): what a person sent the
 * app in their direct chat (text; image, voice and video as references by `MediaId`;
 * location and link as a line of text), and a press on a template card's button
 * (`template_card_event`). Other events (entering the app, …) are ignored, as is another
 * app's message.
 */
export function normalizeWeComMessage(message: unknown, agentId: string): WeComNormalizeResult {
  if (!isRecord(message)) return { outcome: 'invalid', id: null, reason: 'the message is not XML' };
  const type = text(message.MsgType);
  const from = text(message.FromUserName);
  if (type === null) return { outcome: 'invalid', id: null, reason: 'no MsgType' };
  if (from === null || !isUserId(from))
    return { outcome: 'invalid', id: null, reason: 'no FromUserName' };
  if (text(message.AgentID) !== null && text(message.AgentID) !== agentId)
    return { outcome: 'ignored', id: null, reason: 'another app’s message' };
  const created = Number(message.CreateTime);
  const sentAt = Number.isFinite(created) && created > 0 ? new Date(created * 1000) : new Date();
  const chat = { jid: userJid(from), platformChatId: from, title: null, isGroup: false };
  const sender = { platformUserId: from, name: from, username: null, isBot: false };
  if (type === 'event') {
    if (message.Event !== 'template_card_event')
      return { outcome: 'ignored', id: null, reason: `event ${String(message.Event)}` };
    const taskId = text(message.TaskId);
    const key = text(message.EventKey);
    if (taskId === null || key === null)
      return { outcome: 'invalid', id: null, reason: 'a card event without TaskId or EventKey' };
    const parsed = inboundActionSchema.safeParse({
      kind: 'action',
      channel: CHANNEL,
      chat,
      sender,
      actionId: `${taskId}:${created}`,
      actionToken: text(message.ResponseCode),
      platformMessageId: taskId,
      data: key,
    });
    return parsed.success
      ? { outcome: 'event', event: parsed.data }
      : { outcome: 'invalid', id: taskId, reason: parsed.error.issues[0]?.message ?? 'invalid' };
  }
  const id = text(message.MsgId);
  if (id === null || !/^\d{1,30}$/.test(id))
    return { outcome: 'invalid', id: null, reason: 'no MsgId' };
  let body: { text: string; attachments: Attachment[] };
  if (type === 'text') body = { text: text(message.Content) ?? '', attachments: [] };
  else if (MEDIA.has(type)) {
    const file = attachmentOf(type, message);
    body = { text: '', attachments: file ? [file] : [] };
  } else if (type === 'location')
    body = {
      text: `[location: ${text(message.Label) ?? ''} (${text(message.Location_X)}, ${text(message.Location_Y)})]`,
      attachments: [],
    };
  else if (type === 'link')
    body = {
      text: `[link: ${text(message.Title) ?? ''} ${text(message.Url) ?? ''}]`,
      attachments: [],
    };
  else return { outcome: 'ignored', id, reason: `MsgType ${type}` };
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat,
    sender,
    platformMessageId: id,
    text: clampInbound(body.text.trim()),
    replyTo: null,
    mentionsBot: false,
    sentAt,
    attachments: body.attachments,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid' };
}
