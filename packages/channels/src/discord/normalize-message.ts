import {
  type Attachment,
  buildJid,
  type Chat,
  type InboundEvent,
  inboundEditSchema,
  inboundMessageSchema,
  MAX_INBOUND_TEXT,
} from '@gridbot/core';
import type { BotIdentity } from '../channel-adapter.ts';
import { normalizeDiscordInteraction } from './normalize-interaction.ts';

/**
 * What a raw dispatch became. `ignored` is normal traffic GridBot does not handle (logged
 * at debug); `unsupported` is a message in a channel GridBot cannot map to a thread and
 * `invalid` a payload without the documented shape (both logged as warnings).
 */
export type DiscordNormalizeResult =
  | { outcome: 'event'; event: InboundEvent }
  | { outcome: 'ignored'; messageId: string | null; reason: string }
  | { outcome: 'unsupported'; messageId: string; channelId: string; reason: string }
  | { outcome: 'invalid'; messageId: string | null; reason: string };

/** What the adapter knows about a channel (from discord.js's cache or the REST API). */
export interface DiscordChannelInfo {
  /** Discord's channel type: 0 text, 1 DM, 5 announcement, 10–12 threads, … */
  type: number;
  /** For a thread, the channel (or forum) it belongs to. */
  parentId: string | null;
  name: string | null;
}

/** Context of {@link normalizeDiscordDispatch}. */
export interface DiscordNormalizeContext {
  bot: BotIdentity;
  /** Looks a channel up; null when unknown. Must not block: the adapter pre-fetches. */
  lookupChannel: (channelId: string) => DiscordChannelInfo | null;
}

type Rec = Record<string, unknown>;

const CHANNEL = 'discord';
const TRUNCATION_MARKER = '\n[…truncated]';
const SNOWFLAKE = /^\d{1,20}$/;
const MAX_ATTACHMENTS = 20;
/** Message types that carry what a person wrote: DEFAULT and REPLY. */
const USER_MESSAGE_TYPES = new Set([0, 19]);
const TYPE = { text: 0, dm: 1, announcement: 5 } as const;
const THREAD_TYPES = new Set([10, 11, 12]);
const CHANNEL_TYPE_NAMES: Record<number, string> = {
  2: 'voice',
  3: 'group DM',
  4: 'category',
  13: 'stage',
  14: 'directory',
  15: 'forum',
  16: 'media',
};

const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isSnowflake = (value: unknown): value is string =>
  typeof value === 'string' && SNOWFLAKE.test(value);
const intOrNull = (value: unknown): number | null =>
  Number.isSafeInteger(value) ? (value as number) : null;
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Cuts text to what the schema accepts, never between the halves of a surrogate pair. */
function clampText(text: string): string {
  if (text.length <= MAX_INBOUND_TEXT) return text;
  let at = MAX_INBOUND_TEXT - TRUNCATION_MARKER.length;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at -= 1;
  return text.slice(0, at) + TRUNCATION_MARKER;
}

/** A user's display name: guild nickname, else global display name, else username. */
export function displayName(user: Rec, member: unknown): string {
  const nick = isRecord(member) ? stringOrNull(member.nick) : null;
  const name = nick || stringOrNull(user.global_name) || String(user.username);
  return name.slice(0, 256);
}

/** `<@id>` and `<@!id>` of users in `mentions` become `@name`, so stored text reads naturally. */
function readableMentions(content: string, mentions: unknown): string {
  if (!Array.isArray(mentions) || mentions.length === 0) return content;
  const names = new Map<string, string>();
  for (const user of mentions) {
    if (isRecord(user) && isSnowflake(user.id) && typeof user.username === 'string') {
      names.set(user.id, displayName(user, user.member));
    }
  }
  return content.replace(/<@!?(\d{1,20})>/g, (raw, id: string) => {
    const name = names.get(id);
    return name === undefined ? raw : `@${name}`;
  });
}

function mentionsBot(content: string, mentions: unknown, bot: BotIdentity): boolean {
  if (content.includes(`<@${bot.id}>`) || content.includes(`<@!${bot.id}>`)) return true;
  return Array.isArray(mentions) && mentions.some((user) => isRecord(user) && user.id === bot.id);
}

/** A reply (not a forward, not a thread's starter message) and whether it answers the bot. */
function readReply(
  message: Rec,
  bot: BotIdentity,
): { platformMessageId: string; fromBot: boolean } | null {
  const reference = message.message_reference;
  if (!isRecord(reference) || !isSnowflake(reference.message_id)) return null;
  if (reference.type !== undefined && reference.type !== 0) return null; // 1 = forward
  if (message.type !== undefined && message.type !== 19) return null;
  const referenced = message.referenced_message;
  const fromBot =
    isRecord(referenced) && isRecord(referenced.author) && referenced.author.id === bot.id;
  return { platformMessageId: reference.message_id, fromBot };
}

/**
 * Attachments by reference. `platformFileId` is `<channelId>/<messageId>/<attachmentId>`:
 * Discord's attachment URLs are signed and expire within a day, while these three ids
 * stay valid and fetch a fresh URL (`GET /channels/:c/messages/:m`). Entries without an id
 * are skipped; the message still arrives.
 */
function readAttachments(message: Rec, channelId: string, messageId: string): Attachment[] {
  if (!Array.isArray(message.attachments)) return [];
  const out: Attachment[] = [];
  for (const item of message.attachments) {
    if (!isRecord(item) || !isSnowflake(item.id) || out.length >= MAX_ATTACHMENTS) continue;
    const mimeType = stringOrNull(item.content_type)?.slice(0, 255) ?? null;
    out.push({
      kind: mimeType?.startsWith('image/') ? 'image' : 'file',
      platformFileId: `${channelId}/${messageId}/${item.id}`,
      mimeType,
      fileName: stringOrNull(item.filename)?.slice(0, 512) ?? null,
      width: intOrNull(item.width),
      height: intOrNull(item.height),
      sizeBytes: intOrNull(item.size),
      ...(typeof item.url === 'string' &&
        /^https?:\/\//.test(item.url) && { url: item.url.slice(0, 2048) }),
    });
  }
  return out;
}

function schemaProblem(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`).join('; ');
}

/**
 * The thread a channel maps to, or why it cannot. JIDs: a guild text or announcement
 * channel is `discord:<channelId>`; a thread is `discord:<parentId>:<threadId>` (so its
 * chat stays grouped under its channel, and sending to that JID posts in the thread); a DM
 * is `discord:<dmChannelId>` with `isGroup: false`.
 */
export function resolveChat(
  message: Rec,
  channelId: string,
  context: DiscordNormalizeContext,
  senderName: string,
): Chat | string {
  const known = context.lookupChannel(channelId);
  const hinted = intOrNull(message.channel_type);
  // DMs are the only messages without a guild_id, and discord.js does not cache DM channels.
  const type = known?.type ?? hinted ?? (message.guild_id === undefined ? TYPE.dm : null);
  if (type === null) return `channel ${channelId} is unknown (not cached and no channel_type)`;
  const title = known?.name?.slice(0, 512) ?? null;
  if (type === TYPE.text || type === TYPE.announcement) {
    return { jid: buildJid(CHANNEL, channelId), platformChatId: channelId, title, isGroup: true };
  }
  if (type === TYPE.dm) {
    return {
      jid: buildJid(CHANNEL, channelId),
      platformChatId: channelId,
      title: senderName,
      isGroup: false,
    };
  }
  if (THREAD_TYPES.has(type)) {
    const parentId = known?.parentId ?? null;
    if (!isSnowflake(parentId)) return `the parent of thread ${channelId} is unknown`;
    return {
      jid: buildJid(CHANNEL, parentId, channelId),
      platformChatId: channelId,
      title,
      isGroup: true,
    };
  }
  const name = CHANNEL_TYPE_NAMES[type] ?? 'unknown';
  return `unsupported channel type ${type} (${name}) of channel ${channelId}`;
}

/**
 * Turns one raw gateway dispatch, `{ t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', d: <message> }`
 * (the packet discord.js emits as `raw`; `op` and `s` are ignored), into an
 * `InboundMessage` or `InboundEdit` (zod-checked), or says why not; an `INTERACTION_CREATE`
 * (a button press) becomes an `InboundAction` ({@link normalizeDiscordInteraction}). Pure:
 * never throws.
 *
 * Ignored: other dispatch types; messages by the bot itself, by other bots and by webhooks
 * (bots answering bots loop, and GridBot stores only people's messages); system messages
 * (joins, pins, thread created…); messages with neither text nor attachments (stickers,
 * embeds); updates that are not edits of the text (embed unfurls carry no edited_timestamp).
 */
export function normalizeDiscordDispatch(
  dispatch: unknown,
  context: DiscordNormalizeContext,
): DiscordNormalizeResult {
  if (!isRecord(dispatch)) {
    const got = dispatch === null ? 'null' : Array.isArray(dispatch) ? 'an array' : typeof dispatch;
    return {
      outcome: 'invalid',
      messageId: null,
      reason: `a dispatch must be an object, got ${got}`,
    };
  }
  const { t, d } = dispatch;
  if (typeof t !== 'string') {
    return {
      outcome: 'invalid',
      messageId: null,
      reason: 't (the dispatch type) is missing or not a string',
    };
  }
  if (t === 'INTERACTION_CREATE') return normalizeDiscordInteraction(d, context);
  if (t !== 'MESSAGE_CREATE' && t !== 'MESSAGE_UPDATE') {
    return { outcome: 'ignored', messageId: null, reason: `unsupported dispatch type ${t}` };
  }
  if (!isRecord(d))
    return { outcome: 'invalid', messageId: null, reason: `${t}: d is not an object` };
  if (!isSnowflake(d.id))
    return {
      outcome: 'invalid',
      messageId: null,
      reason: `${t}: id is missing or not a snowflake`,
    };
  const messageId = d.id;
  const invalid = (reason: string): DiscordNormalizeResult => ({
    outcome: 'invalid',
    messageId,
    reason: `${t}: ${reason}`,
  });
  const ignored = (reason: string): DiscordNormalizeResult => ({
    outcome: 'ignored',
    messageId,
    reason,
  });
  if (!isSnowflake(d.channel_id)) return invalid('channel_id is missing or not a snowflake');
  const channelId = d.channel_id;
  const author = d.author;
  if (!isRecord(author)) return invalid('author is missing or not an object');
  if (!isSnowflake(author.id)) return invalid('author.id is missing or not a snowflake');
  if (typeof author.username !== 'string' || author.username === '') {
    return invalid('author.username is missing or not a string');
  }
  const isEdit = t === 'MESSAGE_UPDATE';
  if (isEdit && d.content === undefined) return ignored('update without content');
  if (typeof d.content !== 'string') return invalid('content is not a string');

  if (author.id === context.bot.id) return ignored('sent by the bot itself');
  if (d.webhook_id !== undefined) return ignored('sent by a webhook');
  if (author.bot === true) return ignored('sent by another bot');
  if (d.type !== undefined && !USER_MESSAGE_TYPES.has(d.type as number)) {
    return ignored(`system message of type ${String(d.type)}`);
  }

  const senderName = displayName(author, d.member);
  const chat = resolveChat(d, channelId, context, senderName);
  if (typeof chat === 'string')
    return { outcome: 'unsupported', messageId, channelId, reason: chat };
  const text = clampText(readableMentions(d.content, d.mentions));

  if (isEdit) {
    if (typeof d.edited_timestamp !== 'string')
      return ignored('update that is not an edit (no edited_timestamp)');
    const editedAt = new Date(d.edited_timestamp);
    if (Number.isNaN(editedAt.getTime())) return invalid('edited_timestamp is not a date');
    const parsed = inboundEditSchema.safeParse({
      kind: 'edit',
      channel: CHANNEL,
      chat,
      platformMessageId: messageId,
      text,
      editedAt,
    });
    return parsed.success
      ? { outcome: 'event', event: parsed.data }
      : invalid(schemaProblem(parsed.error.issues));
  }

  if (typeof d.timestamp !== 'string' || Number.isNaN(new Date(d.timestamp).getTime())) {
    return invalid('timestamp is missing or not a date');
  }
  const attachments = readAttachments(d, channelId, messageId);
  if (text === '' && attachments.length === 0) return ignored('no text or attachments');
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat,
    sender: {
      platformUserId: author.id,
      name: senderName,
      username: author.username.slice(0, 256),
      isBot: false,
    },
    platformMessageId: messageId,
    text,
    replyTo: readReply(d, context.bot),
    mentionsBot: mentionsBot(d.content, d.mentions, context.bot),
    sentAt: new Date(d.timestamp),
    attachments,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(schemaProblem(parsed.error.issues));
}
