import {
  type Attachment,
  inboundActionSchema,
  inboundEditSchema,
  inboundMessageSchema,
} from '@gridbot/core';
import {
  clampInbound,
  isRecord,
  type NormalizeResult,
  nonEmpty,
  type Rec,
} from '../normalize-result.ts';
import { postImages, postText } from './feishu-content.ts';
import { CHANNEL, feishuJid, isChatId, isMessageId } from './feishu-ids.ts';

/** What one event became. */
export type FeishuNormalizeResult = NormalizeResult;

/** What the adapter knows besides the event: the bot, people's names, replied messages. */
export interface FeishuNormalizeContext {
  botOpenId: string;
  person(openId: string): { name: string; timeZone: string | null } | null;
  /** Whether the message `id` is the bot's (a reply to it addresses the assistant). */
  isBotMessage(id: string): boolean;
  /** Whether the chat is a group, as far as its messages told (a button press does not say). */
  isGroupChat(chatId: string): boolean;
}

const str = nonEmpty;
const OPEN_ID = /^ou_[A-Za-z0-9]{1,64}$/;
const FILE_KEY = /^[A-Za-z0-9_-]{1,200}$/;

const clamp = clampInbound;

function parseContent(raw: unknown): Rec | null {
  if (typeof raw !== 'string') return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** A file of the message, by reference: `<message id>/<image|file>/<key>`, what the resource API takes. */
function attachmentOf(
  messageId: string,
  kind: 'image' | 'file',
  key: unknown,
  fileName: unknown,
): Attachment | null {
  if (typeof key !== 'string' || !FILE_KEY.test(key)) return null;
  return {
    kind,
    platformFileId: `${messageId}/${kind}/${key}`,
    mimeType: null,
    fileName: str(fileName),
    width: null,
    height: null,
    sizeBytes: null,
  };
}

interface Body {
  text: string;
  attachments: Attachment[];
}

/** The text (mention placeholders resolved to names) and files of a message; null when its content does not match its type. */
function messageBody(message: Rec, id: string, names: Map<string, string>): Body | null {
  const type = str(message.message_type);
  const content = parseContent(message.content);
  if (type === null || content === null) return null;
  const resolve = (text: string) =>
    text.replace(/@_user_\d+/g, (key) => (names.has(key) ? `@${names.get(key)}` : key));
  if (type === 'text')
    return typeof content.text === 'string'
      ? { text: resolve(content.text).trim(), attachments: [] }
      : null;
  if (type === 'post') {
    const text = resolve(postText(content));
    const attachments = postImages(content)
      .map((key) => attachmentOf(id, 'image', key, null))
      .filter((a): a is Attachment => a !== null);
    return { text, attachments };
  }
  if (type === 'image') {
    const file = attachmentOf(id, 'image', content.image_key, null);
    return { text: '', attachments: file ? [file] : [] };
  }
  if (type === 'file' || type === 'audio' || type === 'media') {
    const file = attachmentOf(id, 'file', content.file_key, content.file_name);
    return { text: '', attachments: file ? [file] : [] };
  }
  return { text: `[a ${type} message]`, attachments: [] };
}

function normalizeMessage(
  event: Rec,
  ctx: FeishuNormalizeContext,
  kind: 'message' | 'edit',
): FeishuNormalizeResult {
  const message = isRecord(event.message) ? event.message : null;
  const id = str(message?.message_id);
  if (message === null || id === null || !isMessageId(id))
    return { outcome: 'invalid', id: null, reason: 'no message id' };
  const chatId = str(message.chat_id);
  if (chatId === null || !isChatId(chatId)) return { outcome: 'invalid', id, reason: 'no chat_id' };
  const chatType = message.chat_type;
  if (chatType !== 'group' && chatType !== 'p2p')
    return { outcome: 'invalid', id, reason: 'no chat_type' };
  const sender = isRecord(event.sender) ? event.sender : null;
  const openId = str(isRecord(sender?.sender_id) ? sender.sender_id.open_id : null);
  if (sender === null || openId === null || !OPEN_ID.test(openId))
    return { outcome: 'invalid', id, reason: 'no sender open_id' };
  if (openId === ctx.botOpenId || sender.sender_type === 'app')
    return { outcome: 'ignored', id, reason: 'a bot’s message' };
  const mentions = Array.isArray(message.mentions) ? message.mentions.filter(isRecord) : [];
  const names = new Map<string, string>();
  let mentionsBot = false;
  for (const mention of mentions) {
    const key = str(mention.key);
    const mentionedId = isRecord(mention.id) ? mention.id.open_id : null;
    if (key === null) continue;
    names.set(key, str(mention.name) ?? 'someone');
    if (mentionedId === ctx.botOpenId) mentionsBot = true;
  }
  const body = messageBody(message, id, names);
  if (body === null)
    return { outcome: 'invalid', id, reason: 'content does not match message_type' };
  const isGroup = chatType === 'group';
  // A topic thread's messages carry its thread_id; they hang under the root message.
  const rootId = str(message.thread_id) && str(message.root_id) ? str(message.root_id) : null;
  const chat = {
    jid: feishuJid(chatId, isGroup ? rootId : null),
    platformChatId: chatId,
    title: null,
    isGroup,
  };
  if (kind === 'edit') {
    const parsed = inboundEditSchema.safeParse({
      kind: 'edit',
      channel: CHANNEL,
      chat,
      platformMessageId: id,
      text: clamp(body.text),
      editedAt: new Date(Number(message.update_time) || Date.now()),
    });
    return parsed.success
      ? { outcome: 'event', event: parsed.data }
      : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid' };
  }
  const parentId = str(message.parent_id);
  const person = ctx.person(openId);
  const created = Number(message.create_time);
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat,
    sender: {
      platformUserId: openId,
      name: person?.name ?? openId,
      username: null,
      isBot: false,
      ...(person?.timeZone && { timeZone: person.timeZone }),
    },
    platformMessageId: id,
    text: clamp(body.text),
    replyTo:
      parentId && isMessageId(parentId)
        ? { platformMessageId: parentId, fromBot: ctx.isBotMessage(parentId) }
        : null,
    mentionsBot,
    sentAt: Number.isFinite(created) && created > 0 ? new Date(created) : new Date(),
    attachments: body.attachments,
  });
  if (!parsed.success) {
    // A time zone Intl does not know is dropped rather than the message.
    return { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid' };
  }
  return { outcome: 'event', event: parsed.data };
}

function normalizeCardAction(event: Rec, ctx: FeishuNormalizeContext): FeishuNormalizeResult {
  const id = str(event.event_id);
  const operator = isRecord(event.operator) ? event.operator : null;
  const openId = str(operator?.open_id);
  const action = isRecord(event.action) ? event.action : null;
  const value = isRecord(action?.value) ? action.value : null;
  const context = isRecord(event.context) ? event.context : null;
  const messageId = str(context?.open_message_id);
  const chatId = str(context?.open_chat_id);
  if (id === null || openId === null || !OPEN_ID.test(openId))
    return { outcome: 'invalid', id, reason: 'no operator' };
  if (typeof value?.action !== 'string')
    return { outcome: 'ignored', id, reason: 'a card action GridBot did not make' };
  if (messageId === null || chatId === null || !isChatId(chatId))
    return { outcome: 'invalid', id, reason: 'no message or chat' };
  const person = ctx.person(openId);
  const parsed = inboundActionSchema.safeParse({
    kind: 'action',
    channel: CHANNEL,
    chat: {
      jid: feishuJid(chatId, null),
      platformChatId: chatId,
      title: null,
      isGroup: ctx.isGroupChat(chatId),
    },
    sender: { platformUserId: openId, name: person?.name ?? openId, username: null, isBot: false },
    actionId: id,
    actionToken: str(event.token),
    platformMessageId: messageId,
    data: value.action,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid' };
}

/**
 * Normalizes one event as the SDK's dispatcher hands it over (schema 2.0, the header's
 * fields and the event's side by side): `im.message.receive_v1` in group and p2p chats
 * (`@_user_N` placeholders resolved to the names in `mentions`, a mention of the bot
 * flagged; text, post flattened to lines, image and file as references),
 * `im.message.updated_v1` as an edit, `card.action.trigger` as a button press;
 * `im.message.recalled_v1` and others are ignored.
 */
export function normalizeFeishuEvent(
  update: unknown,
  ctx: FeishuNormalizeContext,
): FeishuNormalizeResult {
  if (!isRecord(update))
    return { outcome: 'invalid', id: null, reason: 'the event is not an object' };
  const type = str(update.event_type);
  if (type === 'im.message.receive_v1') return normalizeMessage(update, ctx, 'message');
  if (type === 'im.message.updated_v1') return normalizeMessage(update, ctx, 'edit');
  if (type === 'card.action.trigger') return normalizeCardAction(update, ctx);
  if (type === null) return { outcome: 'invalid', id: null, reason: 'no event_type' };
  return { outcome: 'ignored', id: str(update.event_id), reason: type };
}
