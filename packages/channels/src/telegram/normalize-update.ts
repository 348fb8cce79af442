import {
  type Attachment,
  buildJid,
  type InboundEvent,
  inboundActionSchema,
  inboundEditSchema,
  inboundMessageSchema,
  MAX_INBOUND_TEXT,
} from '@gridbot/core';
import type { BotIdentity } from '../channel-adapter.ts';

/** What became of one raw Telegram update. */
export type NormalizeResult =
  | { outcome: 'event'; event: InboundEvent }
  /** A well-formed update GridBot does not handle (other types, stickers, its own messages). */
  | { outcome: 'ignored'; updateId: number; reason: string }
  /** An update that does not have the shape the Bot API documents. */
  | { outcome: 'invalid'; updateId: number | null; reason: string };

type Rec = Record<string, unknown>;

interface TgUser {
  id: number;
  name: string;
  username: string | null;
  isBot: boolean;
}

const CHANNEL = 'telegram';
const SUPPORTED_CHATS = new Set(['private', 'group', 'supergroup']);
/** Every chat type of the Bot API (`Chat.type`). */
const KNOWN_CHATS = new Set([...SUPPORTED_CHATS, 'channel']);
const TRUNCATION_MARKER = '\n[…truncated]';

const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown): value is number => Number.isSafeInteger(value);
const optionalString = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === 'string';

/** Reads a Telegram `User`, or returns why it is malformed. */
function readUser(value: unknown, where: string): TgUser | string {
  if (!isRecord(value)) return `${where} is missing or not an object`;
  if (!isInt(value.id)) return `${where}.id is missing or not an integer`;
  if (typeof value.first_name !== 'string') return `${where}.first_name is missing or not a string`;
  if (!optionalString(value.last_name)) return `${where}.last_name is not a string`;
  if (!optionalString(value.username)) return `${where}.username is not a string`;
  if (typeof value.is_bot !== 'boolean') return `${where}.is_bot is missing or not a boolean`;
  const username = value.username ?? null;
  const full = [value.first_name, value.last_name ?? ''].join(' ').trim();
  return {
    id: value.id,
    name: (full || username || String(value.id)).slice(0, 256),
    username: username === null ? null : username.slice(0, 256),
    isBot: value.is_bot,
  };
}

/** The other person's name in a private chat, as the chat object carries it. */
function privateChatName(chat: Rec): string {
  const first = typeof chat.first_name === 'string' ? chat.first_name : '';
  const last = typeof chat.last_name === 'string' ? chat.last_name : '';
  return `${first} ${last}`.trim();
}

/** Cuts text to what the schema accepts, never between the halves of a surrogate pair. */
function clampText(text: string): string {
  if (text.length <= MAX_INBOUND_TEXT) return text;
  let at = MAX_INBOUND_TEXT - TRUNCATION_MARKER.length;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at -= 1;
  return text.slice(0, at) + TRUNCATION_MARKER;
}

/** True when an entity mentions the bot: `@username`, a text mention, or `/command@username`. */
function mentionsBot(text: string, entities: unknown, bot: BotIdentity): boolean {
  if (!Array.isArray(entities)) return false;
  const handle = bot.username === null ? null : `@${bot.username.toLowerCase()}`;
  for (const entity of entities) {
    // A malformed entity costs the mention, not the message.
    if (!isRecord(entity) || !isInt(entity.offset) || !isInt(entity.length)) continue;
    const slice = text.slice(entity.offset, entity.offset + entity.length).toLowerCase();
    if (entity.type === 'mention' && handle !== null && slice === handle) return true;
    if (entity.type === 'bot_command' && handle !== null && slice.endsWith(handle)) return true;
    if (
      entity.type === 'text_mention' &&
      isRecord(entity.user) &&
      String(entity.user.id) === bot.id
    )
      return true;
  }
  return false;
}

function readReply(
  message: Rec,
  bot: BotIdentity,
): { platformMessageId: string; fromBot: boolean } | null {
  const reply = message.reply_to_message;
  if (!isRecord(reply) || !isInt(reply.message_id)) return null;
  // In forum topics every message "replies" to the topic's creation message: not a real reply.
  if (reply.forum_topic_created !== undefined) return null;
  const fromBot = isRecord(reply.from) && String(reply.from.id) === bot.id;
  return { platformMessageId: String(reply.message_id), fromBot };
}

function schemaProblem(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`).join('; ');
}

const intOrNull = (value: unknown): number | null => (isInt(value) ? value : null);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * A photo (its largest size) or a document, as a reference by file_id. Entries without a
 * usable file_id are skipped: the message still arrives with its caption.
 */
function readAttachments(message: Record<string, unknown>): Attachment[] {
  const out: Attachment[] = [];
  if (Array.isArray(message.photo) && message.photo.length > 0) {
    const sizes = message.photo.filter(isRecord);
    const largest = sizes.reduce<Record<string, unknown> | null>(
      (best, size) =>
        best === null ||
        (intOrNull(size.width) ?? 0) * (intOrNull(size.height) ?? 0) >
          (intOrNull(best.width) ?? 0) * (intOrNull(best.height) ?? 0)
          ? size
          : best,
      null,
    );
    if (largest && typeof largest.file_id === 'string' && largest.file_id) {
      out.push({
        kind: 'image',
        platformFileId: largest.file_id,
        mimeType: 'image/jpeg',
        fileName: null,
        width: intOrNull(largest.width),
        height: intOrNull(largest.height),
        sizeBytes: intOrNull(largest.file_size),
      });
    }
  }
  const doc = message.document;
  if (isRecord(doc) && typeof doc.file_id === 'string' && doc.file_id) {
    const mimeType = stringOrNull(doc.mime_type);
    out.push({
      kind: mimeType?.startsWith('image/') ? 'image' : 'file',
      platformFileId: doc.file_id,
      mimeType,
      fileName: stringOrNull(doc.file_name),
      width: null,
      height: null,
      sizeBytes: intOrNull(doc.file_size),
    });
  }
  return out;
}

/**
 * Turns one raw Bot API update into an `InboundMessage` or `InboundEdit` (zod-checked), or
 * says why it was ignored or is malformed. Pure: never throws, performs no I/O.
 * Handles `message` and `edited_message` with text or a caption in private chats, groups
 * and supergroups, and `callback_query` (a press on an inline button) as an `InboundAction`;
 * everything else is ignored.
 */
export function normalizeTelegramUpdate(update: unknown, bot: BotIdentity): NormalizeResult {
  if (!isRecord(update)) {
    const got = update === null ? 'null' : Array.isArray(update) ? 'an array' : typeof update;
    return {
      outcome: 'invalid',
      updateId: null,
      reason: `an update must be an object, got ${got}`,
    };
  }
  const updateId = update.update_id;
  if (!isInt(updateId)) {
    return { outcome: 'invalid', updateId: null, reason: 'update_id is missing or not an integer' };
  }
  const invalid = (reason: string): NormalizeResult => ({ outcome: 'invalid', updateId, reason });
  const ignored = (reason: string): NormalizeResult => ({ outcome: 'ignored', updateId, reason });

  if ('callback_query' in update)
    return normalizeCallbackQuery(update.callback_query, bot, updateId);
  const isEdit = !('message' in update) && 'edited_message' in update;
  const field = isEdit ? 'edited_message' : 'message';
  if (!(field in update)) {
    const type = Object.keys(update).find((key) => key !== 'update_id') ?? 'empty';
    return ignored(`unsupported update type "${type}"`);
  }
  const message = update[field];
  if (!isRecord(message)) return invalid(`${field} is not an object`);
  if (!isInt(message.message_id))
    return invalid(`${field}.message_id is missing or not an integer`);
  if (!isInt(message.date)) return invalid(`${field}.date is missing or not an integer`);
  const chat = message.chat;
  if (!isRecord(chat)) return invalid(`${field}.chat is missing or not an object`);
  if (!isInt(chat.id)) return invalid(`${field}.chat.id is missing or not an integer`);
  if (typeof chat.type !== 'string')
    return invalid(`${field}.chat.type is missing or not a string`);
  if (!optionalString(chat.title)) return invalid(`${field}.chat.title is not a string`);
  const sender = readUser(message.from, `${field}.from`);
  if (typeof sender === 'string') return invalid(sender);
  if (!optionalString(message.text)) return invalid(`${field}.text is not a string`);
  if (!optionalString(message.caption)) return invalid(`${field}.caption is not a string`);

  // Channels are a real chat type GridBot does not serve; anything else is not Telegram's.
  if (!KNOWN_CHATS.has(chat.type))
    return invalid(`chat.type ${JSON.stringify(chat.type)} is not a Telegram chat type`);
  if (!SUPPORTED_CHATS.has(chat.type)) return ignored(`unsupported chat type "${chat.type}"`);
  if (String(sender.id) === bot.id) return ignored('sent by the bot itself');
  const hasText = message.text !== undefined;
  const attachments = readAttachments(message);
  const rawText = hasText ? message.text : message.caption;
  if (rawText === undefined && attachments.length === 0) return ignored('no text, caption or file');
  const text = clampText((rawText as string | undefined) ?? '');

  const isGroup = chat.type !== 'private';
  const title = isGroup ? (chat.title ?? null) : privateChatName(chat) || sender.name;
  const chatInfo = {
    jid: buildJid(CHANNEL, chat.id),
    platformChatId: String(chat.id),
    title: title === null ? null : title.slice(0, 512),
    isGroup,
  };

  if (isEdit) {
    const editedAt = isInt(message.edit_date) ? message.edit_date : message.date;
    const parsed = inboundEditSchema.safeParse({
      kind: 'edit',
      channel: CHANNEL,
      chat: chatInfo,
      platformMessageId: String(message.message_id),
      text,
      editedAt: new Date(editedAt * 1000),
    });
    return parsed.success
      ? { outcome: 'event', event: parsed.data }
      : invalid(schemaProblem(parsed.error.issues));
  }

  const entities = hasText ? message.entities : message.caption_entities;
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat: chatInfo,
    sender: {
      platformUserId: String(sender.id),
      name: sender.name,
      username: sender.username,
      isBot: sender.isBot,
    },
    platformMessageId: String(message.message_id),
    text,
    replyTo: readReply(message, bot),
    mentionsBot: mentionsBot(text, entities, bot),
    sentAt: new Date(message.date * 1000),
    attachments,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(schemaProblem(parsed.error.issues));
}

/**
 * A press on an inline keyboard button of a bot message in a chat GridBot serves, as an
 * `InboundAction` (`actionId` is the query's id, for `answerCallbackQuery`). Presses without
 * the message (inline mode) or without `data` (games) are ignored.
 */
function normalizeCallbackQuery(
  query: unknown,
  bot: BotIdentity,
  updateId: number,
): NormalizeResult {
  const invalid = (reason: string): NormalizeResult => ({ outcome: 'invalid', updateId, reason });
  const ignored = (reason: string): NormalizeResult => ({ outcome: 'ignored', updateId, reason });
  if (!isRecord(query)) return invalid('callback_query is not an object');
  if (typeof query.id !== 'string' || query.id === '')
    return invalid('callback_query.id is missing or not a string');
  const sender = readUser(query.from, 'callback_query.from');
  if (typeof sender === 'string') return invalid(sender);
  const message = query.message;
  if (message === undefined) return ignored('a button press without its message (inline mode)');
  if (!isRecord(message)) return invalid('callback_query.message is not an object');
  if (!isInt(message.message_id))
    return invalid('callback_query.message.message_id is missing or not an integer');
  const chat = message.chat;
  if (!isRecord(chat) || !isInt(chat.id))
    return invalid('callback_query.message.chat is missing or has no integer id');
  if (typeof query.data !== 'string' || query.data === '')
    return ignored('a button press without data');
  if (typeof chat.type === 'string' && !SUPPORTED_CHATS.has(chat.type))
    return ignored(`unsupported chat type "${chat.type}"`);
  if (String(sender.id) === bot.id) return ignored('pressed by the bot itself');
  const isGroup = chat.type !== 'private';
  const title = typeof chat.title === 'string' ? chat.title : isGroup ? null : sender.name;
  const parsed = inboundActionSchema.safeParse({
    kind: 'action',
    channel: CHANNEL,
    chat: {
      jid: buildJid(CHANNEL, chat.id),
      platformChatId: String(chat.id),
      title: title === null ? null : title.slice(0, 512),
      isGroup,
    },
    sender: {
      platformUserId: String(sender.id),
      name: sender.name,
      username: sender.username,
      isBot: sender.isBot,
    },
    actionId: query.id,
    actionToken: null,
    platformMessageId: String(message.message_id),
    data: query.data,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(schemaProblem(parsed.error.issues));
}
