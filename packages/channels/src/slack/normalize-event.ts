import {
  type Attachment,
  buildJid,
  type Chat,
  type InboundEvent,
  inboundActionSchema,
  inboundEditSchema,
  inboundMessageSchema,
  isTimeZone,
  MAX_INBOUND_TEXT,
} from '@gridbot/core';
import type { BotIdentity } from '../channel-adapter.ts';

/**
 * What a raw Slack payload became. `ignored` is normal traffic GridBot does not handle
 * (logged at debug); `invalid` a payload without the documented shape (a warning).
 */
export type SlackNormalizeResult =
  | { outcome: 'event'; event: InboundEvent }
  | { outcome: 'ignored'; ts: string | null; reason: string }
  | { outcome: 'invalid'; ts: string | null; reason: string };

/** What `users.info` said about a person (cached by the adapter). */
export interface SlackUserInfo {
  name: string;
  username: string | null;
  /** IANA zone (`tz`), e.g. `Europe/Berlin`; null when Slack has none. */
  timeZone: string | null;
  isBot: boolean;
}

/** Context of {@link normalizeSlackPayload}; lookups must not block (the adapter pre-fetches). */
export interface SlackNormalizeContext {
  /** The bot user (`U…`, from `auth.test` `user_id`) and its name. */
  bot: BotIdentity;
  lookupUser: (userId: string) => SlackUserInfo | null;
  /** A conversation's name (`#general`), or null when unknown or a DM. */
  lookupChannelName: (channelId: string) => string | null;
}

type Rec = Record<string, unknown>;

const CHANNEL = 'slack';
/** The prefix of GridBot's buttons' `action_id`s (others belong to someone else). */
export const ACTION_ID_PREFIX = 'gridbot:';
const TRUNCATION_MARKER = '\n[…truncated]';
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const TS = /^\d{1,12}\.\d{1,8}$/;
const MAX_ATTACHMENTS = 20;
/** Subtypes that carry what a person wrote. */
const NEW_MESSAGE_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const matches = (pattern: RegExp, value: unknown): value is string =>
  typeof value === 'string' && pattern.test(value);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const intOrNull = (value: unknown): number | null =>
  Number.isSafeInteger(value) ? (value as number) : null;

/** A Slack `ts` (`1700000000.000100`) as a date. */
export function tsToDate(ts: string): Date {
  return new Date(Math.round(Number(ts) * 1000));
}

function clampText(text: string): string {
  if (text.length <= MAX_INBOUND_TEXT) return text;
  let at = MAX_INBOUND_TEXT - TRUNCATION_MARKER.length;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at -= 1;
  return text.slice(0, at) + TRUNCATION_MARKER;
}

/** User ids mentioned as `<@U…>` in a Slack text (to pre-fetch their names). */
export function mentionedUsers(text: string): string[] {
  return [...new Set([...text.matchAll(/<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g)].map((m) => m[1]!))];
}

/**
 * Slack's markup made readable: `<@U…>` becomes `@name` (the bot's own mention too, so a
 * trigger pattern like `^@Andy` matches), `<#C…|general>` `#general`, `<!here>` `@here`,
 * `<url|label>` `label (url)`, `<url>` the url; then the `&amp;`, `&lt;`, `&gt;` escapes.
 */
export function readableSlackText(text: string, context: SlackNormalizeContext): string {
  return text
    .replace(/<@([UW][A-Z0-9]{2,})(?:\|([^>]*))?>/g, (raw, id: string, label?: string) => {
      const name =
        id === context.bot.id
          ? (context.bot.username ?? context.lookupUser(id)?.name)
          : (context.lookupUser(id)?.name ?? label);
      return name ? `@${name}` : raw;
    })
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_raw, id: string, label?: string) => {
      const name = label || context.lookupChannelName(id);
      return name ? `#${name}` : `#${id}`;
    })
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_raw, label?: string) => label ?? '@group')
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * The GridBot thread of a Slack message. A channel (public `C…`, private `G…`, group DM,
 * DM `D…`) is `slack:<channel>`; a Slack thread inside it (a message whose `thread_ts` is
 * not its own `ts`) is `slack:<channel>:<thread_ts>`, so each thread keeps its own
 * conversation and a reply to that JID goes into the thread.
 */
export function slackChat(
  channelId: string,
  threadTs: string | null,
  isDirect: boolean,
  title: string | null,
): Chat {
  return {
    jid: threadTs === null ? buildJid(CHANNEL, channelId) : buildJid(CHANNEL, channelId, threadTs),
    platformChatId: channelId,
    title: title?.slice(0, 512) ?? null,
    isGroup: !isDirect,
  };
}

function isDirectChannel(event: Rec, channelId: string): boolean {
  return (
    event.channel_type === 'im' || (event.channel_type === undefined && channelId.startsWith('D'))
  );
}

function threadOf(message: Rec): string | null {
  return matches(TS, message.thread_ts) && message.thread_ts !== message.ts
    ? message.thread_ts
    : null;
}

/** Files by reference: the file id (`F…`), which `files.info` resolves later. */
function readFiles(message: Rec): Attachment[] {
  if (!Array.isArray(message.files)) return [];
  const out: Attachment[] = [];
  for (const file of message.files) {
    if (!isRecord(file) || typeof file.id !== 'string' || out.length >= MAX_ATTACHMENTS) continue;
    const mimeType = stringOrNull(file.mimetype)?.slice(0, 255) ?? null;
    out.push({
      kind: mimeType?.startsWith('image/') ? 'image' : 'file',
      platformFileId: file.id.slice(0, 512),
      mimeType,
      fileName: stringOrNull(file.name)?.slice(0, 512) ?? null,
      width: intOrNull(file.original_w),
      height: intOrNull(file.original_h),
      sizeBytes: intOrNull(file.size),
    });
  }
  return out;
}

function problem(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`).join('; ');
}

function senderOf(userId: string, context: SlackNormalizeContext, fallback: string | null) {
  const info = context.lookupUser(userId);
  const timeZone = info?.timeZone && isTimeZone(info.timeZone) ? info.timeZone : null;
  return {
    platformUserId: userId,
    name: (info?.name || fallback || userId).slice(0, 256),
    username: (info?.username ?? fallback)?.slice(0, 256) ?? null,
    isBot: info?.isBot ?? false,
    ...(timeZone && { timeZone }),
  };
}

function normalizeMessage(event: Rec, context: SlackNormalizeContext): SlackNormalizeResult {
  const ts = matches(TS, event.ts) ? event.ts : null;
  const invalid = (reason: string): SlackNormalizeResult => ({
    outcome: 'invalid',
    ts,
    reason: `${String(event.type)} event: ${reason}`,
  });
  const ignored = (reason: string): SlackNormalizeResult => ({ outcome: 'ignored', ts, reason });
  if (!matches(CHANNEL_ID, event.channel)) return invalid('channel is missing or not a channel id');
  const channelId = event.channel;
  const subtype = stringOrNull(event.subtype) ?? undefined;
  if (subtype === 'message_deleted') return ignored('a deletion');
  if (subtype === 'message_changed') return normalizeEdit(event, channelId, context);
  if (subtype === 'bot_message' || event.bot_id !== undefined) return ignored('sent by a bot');
  if (!NEW_MESSAGE_SUBTYPES.has(subtype)) return ignored(`message subtype ${subtype}`);
  if (ts === null) return invalid('ts is missing or not a Slack timestamp');
  if (!matches(USER_ID, event.user)) return invalid('user is missing or not a user id');
  if (event.user === context.bot.id) return ignored('sent by the bot itself');
  const rawText = event.text ?? '';
  if (typeof rawText !== 'string') return invalid('text is not a string');
  const direct = isDirectChannel(event, channelId);
  const sender = senderOf(event.user, context, null);
  const thread = threadOf(event);
  const chat = slackChat(
    channelId,
    thread,
    direct,
    direct ? sender.name : context.lookupChannelName(channelId),
  );
  const attachments = readFiles(event);
  const text = clampText(readableSlackText(rawText, context));
  if (text.trim() === '' && attachments.length === 0) return ignored('no text or files');
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat,
    sender,
    platformMessageId: ts,
    text,
    replyTo:
      thread === null
        ? null
        : { platformMessageId: thread, fromBot: event.parent_user_id === context.bot.id },
    mentionsBot: new RegExp(`<@${context.bot.id}(\\|[^>]*)?>`).test(rawText),
    sentAt: tsToDate(ts),
    attachments,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(problem(parsed.error.issues));
}

function normalizeEdit(
  event: Rec,
  channelId: string,
  context: SlackNormalizeContext,
): SlackNormalizeResult {
  const message = event.message;
  const ts = isRecord(message) && matches(TS, message.ts) ? message.ts : null;
  const invalid = (reason: string): SlackNormalizeResult => ({
    outcome: 'invalid',
    ts,
    reason: `message_changed event: ${reason}`,
  });
  if (!isRecord(message) || ts === null) return invalid('message.ts is missing');
  if (message.bot_id !== undefined || message.user === context.bot.id)
    return { outcome: 'ignored', ts, reason: 'an edit of a bot message' };
  if (typeof message.text !== 'string') return invalid('message.text is not a string');
  const previous = isRecord(event.previous_message) ? event.previous_message : null;
  if (previous && previous.text === message.text)
    return {
      outcome: 'ignored',
      ts,
      reason: 'an update that is not an edit of the text (an unfurl)',
    };
  const edited =
    isRecord(message.edited) && matches(TS, message.edited.ts) ? message.edited.ts : null;
  const at = edited ?? (matches(TS, event.ts) ? event.ts : null);
  if (at === null) return invalid('neither message.edited.ts nor ts is a Slack timestamp');
  const direct = isDirectChannel(event, channelId);
  const parsed = inboundEditSchema.safeParse({
    kind: 'edit',
    channel: CHANNEL,
    chat: slackChat(
      channelId,
      threadOf(message),
      direct,
      direct ? null : context.lookupChannelName(channelId),
    ),
    platformMessageId: ts,
    text: clampText(readableSlackText(message.text, context)),
    editedAt: tsToDate(at),
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(problem(parsed.error.issues));
}

/**
 * A `block_actions` payload: a press on one of GridBot's buttons (`action_id`
 * `gridbot:<id>`) becomes an `InboundAction` whose `actionId` is the press's `action_ts`,
 * `actionToken` its `response_url`, and `platformMessageId` the `ts` of the message the
 * button is on. Presses on other apps' elements are ignored.
 */
function normalizeBlockActions(payload: Rec, context: SlackNormalizeContext): SlackNormalizeResult {
  const invalid = (reason: string): SlackNormalizeResult => ({
    outcome: 'invalid',
    ts: null,
    reason: `block_actions: ${reason}`,
  });
  const action = Array.isArray(payload.actions) ? payload.actions[0] : undefined;
  if (!isRecord(action) || typeof action.action_id !== 'string') return invalid('no action');
  if (!action.action_id.startsWith(ACTION_ID_PREFIX))
    return { outcome: 'ignored', ts: null, reason: 'not a GridBot button' };
  const container = isRecord(payload.container) ? payload.container : {};
  const message = isRecord(payload.message) ? payload.message : {};
  const channelId =
    container.channel_id ?? (isRecord(payload.channel) ? payload.channel.id : undefined);
  if (!matches(CHANNEL_ID, channelId)) return invalid('no channel');
  const messageTs = container.message_ts ?? message.ts;
  if (!matches(TS, messageTs)) return invalid('no message_ts');
  const user = payload.user;
  if (!isRecord(user) || !matches(USER_ID, user.id)) return invalid('user is missing');
  const thread = matches(TS, container.thread_ts) ? container.thread_ts : threadOf(message);
  const fallback = stringOrNull(user.username) ?? stringOrNull(user.name);
  const parsed = inboundActionSchema.safeParse({
    kind: 'action',
    channel: CHANNEL,
    chat: slackChat(
      channelId,
      thread,
      channelId.startsWith('D'),
      context.lookupChannelName(channelId),
    ),
    sender: senderOf(user.id, context, fallback),
    actionId: stringOrNull(action.action_ts) ?? `${messageTs}-${user.id}`,
    actionToken: stringOrNull(payload.response_url),
    platformMessageId: messageTs,
    data: action.action_id.slice(ACTION_ID_PREFIX.length),
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : invalid(problem(parsed.error.issues));
}

/**
 * Turns one raw Slack payload into an event, or says why not. Pure: never throws.
 * Accepted: an Events API body (`{ type: 'event_callback', event }`) whose event is a
 * `message` (channels, private channels, DMs, group DMs; `message_changed` becomes an
 * edit) or an `app_mention` (the same message as its `message` event: same `ts`, so it is
 * stored once); and a `block_actions` interactive payload.
 *
 * Ignored: deletions, messages and edits by bots (the bot's own included), other
 * subtypes (joins, topic changes…), messages with neither text nor files, other events.
 */
export function normalizeSlackPayload(
  payload: unknown,
  context: SlackNormalizeContext,
): SlackNormalizeResult {
  if (!isRecord(payload)) {
    const got = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload;
    return { outcome: 'invalid', ts: null, reason: `a payload must be an object, got ${got}` };
  }
  if (payload.type === 'block_actions') return normalizeBlockActions(payload, context);
  if (payload.type !== 'event_callback')
    return typeof payload.type === 'string'
      ? { outcome: 'ignored', ts: null, reason: `payload type ${payload.type}` }
      : { outcome: 'invalid', ts: null, reason: 'type is missing' };
  const event = payload.event;
  if (!isRecord(event) || typeof event.type !== 'string')
    return { outcome: 'invalid', ts: null, reason: 'event_callback without an event' };
  if (event.type !== 'message' && event.type !== 'app_mention')
    return { outcome: 'ignored', ts: null, reason: `event type ${event.type}` };
  return normalizeMessage(event, context);
}
