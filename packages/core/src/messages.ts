import { z } from 'zod';
import { isTimeZone } from './config-keys.ts';
import { parseJid } from './jid.ts';

const jidSchema = z.string().refine(
  (value) => {
    try {
      parseJid(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid JID ("<channel>:<platform id>")' },
);

/** The sender of an inbound message, as the platform describes them. */
export const senderSchema = z.object({
  platformUserId: z.string().min(1),
  name: z.string().min(1).max(256),
  username: z.string().max(256).nullable(),
  isBot: z.boolean(),
  /** The sender's IANA time zone, where the platform tells it (the web chat's browser). */
  timeZone: z.string().min(1).max(64).refine(isTimeZone).optional(),
});
export type Sender = z.infer<typeof senderSchema>;

/** The chat a message belongs to. */
export const chatSchema = z.object({
  jid: jidSchema,
  platformChatId: z.string().min(1),
  title: z.string().max(512).nullable(),
  isGroup: z.boolean(),
});
export type Chat = z.infer<typeof chatSchema>;

/** Largest inbound text stored; longer texts are cut with a marker (platforms cap far lower). */
export const MAX_INBOUND_TEXT = 64 * 1024;

/**
 * A file sent with a message, by reference: the platform's file id, never its bytes. The
 * gateway records it as an artifact; the agent sees the reference.
 */
export const attachmentSchema = z.object({
  kind: z.enum(['image', 'file']),
  /** The platform's id for fetching the file later (e.g. a Telegram file_id). */
  platformFileId: z.string().min(1).max(512),
  mimeType: z.string().max(255).nullable(),
  fileName: z.string().max(512).nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  sizeBytes: z.number().int().nullable(),
  /** Where the platform serves the file right now (Discord's CDN URL), when it says. */
  url: z.string().url().max(2048).optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** A platform message normalized by a channel adapter. */
export const inboundMessageSchema = z.object({
  kind: z.literal('message'),
  channel: z.string().min(1),
  chat: chatSchema,
  sender: senderSchema,
  platformMessageId: z.string().min(1),
  text: z.string().max(MAX_INBOUND_TEXT),
  replyTo: z.object({ platformMessageId: z.string().min(1), fromBot: z.boolean() }).nullable(),
  mentionsBot: z.boolean(),
  sentAt: z.date(),
  attachments: z.array(attachmentSchema).max(20).default([]),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/** An edit of an earlier platform message. */
export const inboundEditSchema = z.object({
  kind: z.literal('edit'),
  channel: z.string().min(1),
  chat: chatSchema,
  platformMessageId: z.string().min(1),
  text: z.string().max(MAX_INBOUND_TEXT),
  editedAt: z.date(),
});
export type InboundEdit = z.infer<typeof inboundEditSchema>;

/**
 * A press on a button the assistant put on one of its messages (a Telegram inline keyboard,
 * a Discord component, the web chat's buttons). The adapter answers it with `answerAction`.
 */
export const inboundActionSchema = z.object({
  kind: z.literal('action'),
  channel: z.string().min(1),
  chat: chatSchema,
  sender: senderSchema,
  /** The platform's id of this press (Telegram `callback_query.id`, a Discord interaction id). */
  actionId: z.string().min(1).max(256),
  /** What the platform needs besides the id to answer the press (Discord's interaction token). */
  actionToken: z.string().max(4096).nullable(),
  /** The message the button is on. */
  platformMessageId: z.string().min(1),
  /** The button's {@link MessageAction} id, as sent: `approve:12`. */
  data: z.string().min(1).max(100),
});
export type InboundAction = z.infer<typeof inboundActionSchema>;

/** What became of a message the assistant sent, as the platform reports it later. */
export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * A platform's receipt for one of the assistant's messages (WhatsApp's status webhooks):
 * ingress records it on the outbox row that sent the message.
 */
export const inboundDeliverySchema = z.object({
  kind: z.literal('delivery'),
  channel: z.string().min(1),
  chat: chatSchema,
  /** The id the platform gave the assistant's message when it was sent. */
  platformMessageId: z.string().min(1),
  status: z.enum(DELIVERY_STATUSES),
  /** Why it failed, for the operator (the platform's code and words); null unless failed. */
  error: z.string().max(2000).nullable(),
  at: z.date(),
});
export type InboundDelivery = z.infer<typeof inboundDeliverySchema>;

export type InboundEvent = InboundMessage | InboundEdit | InboundAction | InboundDelivery;

/**
 * A button under an outgoing message. `id` comes back in the press (`InboundAction.data`):
 * at most 64 bytes (Telegram's `callback_data` limit), e.g. `approve:12`.
 */
export interface MessageAction {
  id: string;
  label: string;
  style?: 'primary' | 'danger';
}

/** How the gateway answers a press: a short notice to the presser, and the message's new text. */
export interface ActionAnswer {
  /** Shown to the person who pressed (a Telegram toast, a Discord ephemeral reply). */
  text: string;
  /** The message's new text, its buttons removed; null leaves the message as it is. */
  edit: string | null;
}

/** A reply the assistant sends to a thread; chunking and formatting happen at egress. */
export const outboundMessageSchema = z.object({
  jid: jidSchema,
  text: z.string().min(1),
  replyToPlatformMessageId: z.string().nullable().default(null),
});
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;
