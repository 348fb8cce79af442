import {
  type Attachment,
  buildJid,
  type Chat,
  type InboundEvent,
  inboundActionSchema,
  inboundDeliverySchema,
  inboundEditSchema,
  inboundMessageSchema,
  MAX_INBOUND_TEXT,
} from '@gridbot/core';

/**
 * What one entry of a webhook became. `ignored` is normal traffic GridBot does not handle
 * (logged at debug); `invalid` an entry without the documented shape (a warning).
 */
export type WhatsAppNormalizeResult =
  | { outcome: 'event'; event: InboundEvent }
  | { outcome: 'ignored'; id: string | null; reason: string }
  | { outcome: 'invalid'; id: string | null; reason: string };

/** Whose webhooks these are. */
export interface WhatsAppNormalizeContext {
  /** The business phone number id (`WHATSAPP_PHONE_NUMBER_ID`): other numbers' changes are ignored. */
  phoneNumberId: string;
  /** Its display number's digits (`15550001234`), as `context.from` names the bot's messages. */
  displayNumber: string | null;
}

type Rec = Record<string, unknown>;

const CHANNEL = 'whatsapp';
/** The prefix of GridBot's reply-button ids (others belong to someone else's templates). */
export const BUTTON_ID_PREFIX = 'gridbot:';
/** A group's JID: `whatsapp:g.<group id>`, so it can never be taken for a phone number. */
export const GROUP_PREFIX = 'g.';
/** A person's `wa_id` (digits) and a Groups API group id, as GridBot accepts them. */
export const WA_ID = /^\d{5,20}$/;
export const GROUP_ID = /^[A-Za-z0-9_-]{1,120}$/;
const MESSAGE_ID = /^[A-Za-z0-9_.=+/-]{1,256}$/;
const TRUNCATION_MARKER = '\n[…truncated]';
const MEDIA_TYPES = new Set(['image', 'document', 'audio', 'video', 'sticker']);
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const digits = (value: unknown): string | null =>
  typeof value === 'string' ? value.replace(/\D/g, '') || null : null;

function clampText(value: string): string {
  if (value.length <= MAX_INBOUND_TEXT) return value;
  return value.slice(0, MAX_INBOUND_TEXT - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
}

/** A webhook `timestamp` (seconds, as a string) as a date, or null. */
function secondsToDate(value: unknown): Date | null {
  const seconds = Number(value);
  return typeof value === 'string' && /^\d{1,12}$/.test(value) && Number.isFinite(seconds)
    ? new Date(seconds * 1000)
    : null;
}

/** The chat of a message or receipt: a group (`group_id`) or the person's direct chat. */
function chatOf(waId: string, groupId: string | null, name: string | null): Chat {
  if (groupId !== null) {
    return {
      jid: buildJid(CHANNEL, `${GROUP_PREFIX}${groupId}`),
      platformChatId: groupId,
      title: null,
      isGroup: true,
    };
  }
  return { jid: buildJid(CHANNEL, waId), platformChatId: waId, title: name, isGroup: false };
}

function attachmentOf(type: string, media: Rec): Attachment | null {
  const id = text(media.id);
  if (id === null || id.length > 512) return null;
  return {
    kind: type === 'image' || type === 'sticker' ? 'image' : 'file',
    platformFileId: id,
    mimeType: text(media.mime_type)?.slice(0, 255) ?? null,
    fileName: text(media.filename)?.slice(0, 512) ?? null,
    width: null,
    height: null,
    sizeBytes: null,
  };
}

/** The words a message carries: its text, a media caption, or a pressed template button's label. */
function bodyOf(type: string, message: Rec): string | null {
  if (type === 'text' && isRecord(message.text)) return text(message.text.body);
  if (type === 'button' && isRecord(message.button)) return text(message.button.text);
  const media = message[type];
  if (MEDIA_TYPES.has(type) && isRecord(media)) return text(media.caption) ?? '';
  return null;
}

interface Envelope {
  ctx: WhatsAppNormalizeContext;
  names: Map<string, string>;
}

function normalizeMessage(message: unknown, env: Envelope): WhatsAppNormalizeResult {
  if (!isRecord(message))
    return { outcome: 'invalid', id: null, reason: 'message is not an object' };
  const id = typeof message.id === 'string' && MESSAGE_ID.test(message.id) ? message.id : null;
  if (id === null) return { outcome: 'invalid', id: null, reason: 'message has no valid id' };
  const from = typeof message.from === 'string' && WA_ID.test(message.from) ? message.from : null;
  if (from === null) return { outcome: 'invalid', id, reason: 'message has no sender (from)' };
  const sentAt = secondsToDate(message.timestamp);
  if (sentAt === null) return { outcome: 'invalid', id, reason: 'message has no valid timestamp' };
  const type = text(message.type);
  if (type === null) return { outcome: 'invalid', id, reason: 'message has no type' };
  let groupId: string | null = null;
  if (message.group_id !== undefined) {
    if (typeof message.group_id !== 'string' || !GROUP_ID.test(message.group_id)) {
      return { outcome: 'invalid', id, reason: 'message has a malformed group_id' };
    }
    groupId = message.group_id;
  }
  const name = env.names.get(from) ?? null;
  const chat = chatOf(from, groupId, name);
  const sender = {
    platformUserId: from,
    name: (name ?? `+${from}`).slice(0, 256),
    username: null,
    isBot: false,
  };
  const context = isRecord(message.context) ? message.context : null;
  const repliedTo = text(context?.id);
  const fromBot =
    context !== null &&
    (digits(context.from) === env.ctx.displayNumber || context.from === env.ctx.phoneNumberId);

  if (type === 'interactive') {
    const interactive = isRecord(message.interactive) ? message.interactive : null;
    const reply = isRecord(interactive?.button_reply) ? interactive.button_reply : null;
    const buttonId = text(reply?.id);
    if (buttonId === null)
      return { outcome: 'ignored', id, reason: 'interactive reply without a button id' };
    if (!buttonId.startsWith(BUTTON_ID_PREFIX)) {
      return { outcome: 'ignored', id, reason: 'a press on a button GridBot did not send' };
    }
    if (repliedTo === null)
      return { outcome: 'invalid', id, reason: 'button reply names no message (context.id)' };
    const parsed = inboundActionSchema.safeParse({
      kind: 'action',
      channel: CHANNEL,
      chat,
      sender,
      actionId: id,
      actionToken: null,
      platformMessageId: repliedTo,
      data: buttonId.slice(BUTTON_ID_PREFIX.length),
    });
    return parsed.success
      ? { outcome: 'event', event: parsed.data }
      : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid press' };
  }

  if (type === 'edit') {
    const edit = isRecord(message.edit) ? message.edit : null;
    const original = text(edit?.original_message_id);
    const inner = isRecord(edit?.message) ? edit.message : null;
    const innerType = text(inner?.type);
    const body = inner && innerType ? bodyOf(innerType, inner) : null;
    if (original === null || body === null) {
      return { outcome: 'invalid', id, reason: 'edit names no original message or new text' };
    }
    const parsed = inboundEditSchema.safeParse({
      kind: 'edit',
      channel: CHANNEL,
      chat,
      platformMessageId: original,
      text: clampText(body),
      editedAt: sentAt,
    });
    return parsed.success
      ? { outcome: 'event', event: parsed.data }
      : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid edit' };
  }

  const body = bodyOf(type, message);
  if (body === null) return { outcome: 'ignored', id, reason: `message of type ${type}` };
  const media = message[type];
  const attachment = MEDIA_TYPES.has(type) && isRecord(media) ? attachmentOf(type, media) : null;
  if (MEDIA_TYPES.has(type) && attachment === null) {
    return { outcome: 'invalid', id, reason: `${type} message without a media id` };
  }
  const mentionsBot =
    groupId !== null &&
    env.ctx.displayNumber !== null &&
    new RegExp(`@\\+?${env.ctx.displayNumber}\\b`).test(body);
  const parsed = inboundMessageSchema.safeParse({
    kind: 'message',
    channel: CHANNEL,
    chat,
    sender,
    platformMessageId: id,
    text: clampText(body),
    replyTo: repliedTo === null ? null : { platformMessageId: repliedTo, fromBot },
    mentionsBot,
    sentAt,
    attachments: attachment ? [attachment] : [],
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid message' };
}

function errorOf(status: Rec): string | null {
  const errors = Array.isArray(status.errors) ? status.errors : [];
  const first = isRecord(errors[0]) ? errors[0] : null;
  if (first === null) return null;
  const details = isRecord(first.error_data) ? text(first.error_data.details) : null;
  const words = [text(first.title) ?? text(first.message), details].filter(Boolean).join(': ');
  return `${words || 'no reason given'} (code ${String(first.code ?? 'unknown')})`.slice(0, 2000);
}

/** The code of a failed receipt's first error (131047: the 24-hour window closed). */
export function receiptErrorCode(status: unknown): number | null {
  if (!isRecord(status) || !Array.isArray(status.errors)) return null;
  const first = status.errors[0];
  return isRecord(first) && Number.isSafeInteger(first.code) ? (first.code as number) : null;
}

function normalizeStatus(status: unknown): WhatsAppNormalizeResult {
  if (!isRecord(status)) return { outcome: 'invalid', id: null, reason: 'status is not an object' };
  const id = text(status.id);
  if (id === null) return { outcome: 'invalid', id: null, reason: 'status names no message' };
  const state = text(status.status);
  if (state === null || !STATUSES.has(state)) {
    return { outcome: 'ignored', id, reason: `status ${String(state)}` };
  }
  const at = secondsToDate(status.timestamp);
  const recipient = text(status.recipient_id);
  const isGroup = status.recipient_type === 'group';
  if (at === null || recipient === null || !(isGroup ? GROUP_ID : WA_ID).test(recipient)) {
    return { outcome: 'invalid', id, reason: 'status without a valid timestamp or recipient' };
  }
  const parsed = inboundDeliverySchema.safeParse({
    kind: 'delivery',
    channel: CHANNEL,
    chat: chatOf(recipient, isGroup ? recipient : null, null),
    platformMessageId: id,
    status: state,
    error: state === 'failed' ? (errorOf(status) ?? 'no reason given') : null,
    at,
  });
  return parsed.success
    ? { outcome: 'event', event: parsed.data }
    : { outcome: 'invalid', id, reason: parsed.error.issues[0]?.message ?? 'invalid status' };
}

/** One `changes[].value` of the `messages` field, with the raw status next to each receipt. */
export interface NormalizedChange {
  result: WhatsAppNormalizeResult;
  /** The raw status object of a receipt (for its error code), else null. */
  status: unknown;
}

/**
 * Normalizes a webhook body (`object: whatsapp_business_account`, `entry[].changes[]`) into
 * one result per message and status, in the order WhatsApp listed them. Changes of another
 * field, or of another phone number of the same account, are ignored. Never throws.
 */
export function normalizeWhatsAppWebhook(
  body: unknown,
  ctx: WhatsAppNormalizeContext,
): NormalizedChange[] {
  const one = (result: WhatsAppNormalizeResult): NormalizedChange[] => [{ result, status: null }];
  if (
    !isRecord(body) ||
    body.object !== 'whatsapp_business_account' ||
    !Array.isArray(body.entry)
  ) {
    return one({ outcome: 'invalid', id: null, reason: 'not a whatsapp_business_account webhook' });
  }
  const out: NormalizedChange[] = [];
  for (const entry of body.entry) {
    const changes = isRecord(entry) && Array.isArray(entry.changes) ? entry.changes : null;
    if (changes === null) {
      out.push(...one({ outcome: 'invalid', id: null, reason: 'entry without changes' }));
      continue;
    }
    for (const change of changes) {
      if (!isRecord(change) || !isRecord(change.value)) {
        out.push(...one({ outcome: 'invalid', id: null, reason: 'change without a value' }));
        continue;
      }
      if (change.field !== 'messages') {
        out.push(...one({ outcome: 'ignored', id: null, reason: `field ${String(change.field)}` }));
        continue;
      }
      const value = change.value;
      const metadata = isRecord(value.metadata) ? value.metadata : null;
      if (metadata?.phone_number_id !== ctx.phoneNumberId) {
        out.push(...one({ outcome: 'ignored', id: null, reason: 'another phone number' }));
        continue;
      }
      const names = new Map<string, string>();
      for (const contact of Array.isArray(value.contacts) ? value.contacts : []) {
        const name =
          isRecord(contact) && isRecord(contact.profile) ? text(contact.profile.name) : null;
        if (isRecord(contact) && typeof contact.wa_id === 'string' && name)
          names.set(contact.wa_id, name);
      }
      for (const message of Array.isArray(value.messages) ? value.messages : []) {
        out.push({ result: normalizeMessage(message, { ctx, names }), status: null });
      }
      for (const status of Array.isArray(value.statuses) ? value.statuses : []) {
        out.push({ result: normalizeStatus(status), status });
      }
      if (Array.isArray(value.errors) && value.errors.length > 0) {
        out.push(
          ...one({
            outcome: 'invalid',
            id: null,
            reason: `WhatsApp reported errors: ${JSON.stringify(value.errors).slice(0, 500)}`,
          }),
        );
      }
    }
  }
  return out;
}
