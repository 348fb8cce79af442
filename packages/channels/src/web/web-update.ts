import { MAX_INBOUND_TEXT } from '@gridbot/core';
import { z } from 'zod';

/** Ids chosen by the browser (chat, message): short and URL-safe. */
export const webIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
  message: 'expected 1-64 characters of A-Z, a-z, 0-9, "_" or "-"',
});

const senderSchema = z.object({
  id: webIdSchema,
  name: z.string().trim().min(1).max(256),
  isBot: z.boolean().default(false),
  /** The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`). */
  timeZone: z.string().min(1).max(64).optional(),
});

/** Images one web message carries at most. */
export const MAX_WEB_UPLOADS = 4;

/** A file posted with a web message, staged by `WebUploads` under `uploadId`. */
export const webUploadSchema = z.object({
  uploadId: z.string().regex(/^up-[0-9a-f-]{36}$/),
  fileName: z.string().max(512).nullable(),
  mimeType: z.string().max(255),
  sizeBytes: z.number().int().nonnegative(),
});
export type WebUpload = z.infer<typeof webUploadSchema>;

/** A message typed in the web chat, as the dashboard posts it to the adapter. */
export const webMessageUpdateSchema = z
  .object({
    type: z.literal('message'),
    chatId: webIdSchema,
    chatTitle: z.string().max(512).nullish(),
    isGroup: z.boolean().default(false),
    messageId: webIdSchema,
    from: senderSchema,
    /** May be empty when images come with it. */
    text: z.string().max(MAX_INBOUND_TEXT),
    uploads: z.array(webUploadSchema).max(MAX_WEB_UPLOADS).default([]),
    replyTo: z.object({ messageId: webIdSchema, fromBot: z.boolean() }).nullish(),
    mentionsBot: z.boolean().default(false),
    sentAt: z.coerce.date().optional(),
  })
  .refine((update) => update.text.length > 0 || update.uploads.length > 0, {
    message: 'a message needs text or an image',
    path: ['text'],
  });

/** An edit of an earlier web message. */
export const webEditUpdateSchema = z.object({
  type: z.literal('edit'),
  chatId: webIdSchema,
  chatTitle: z.string().max(512).nullish(),
  isGroup: z.boolean().default(false),
  messageId: webIdSchema,
  text: z.string().min(1).max(MAX_INBOUND_TEXT),
  editedAt: z.coerce.date().optional(),
});

/** A press on a button of an assistant's message (`data`: the button's id, `approve:12`). */
export const webActionUpdateSchema = z.object({
  type: z.literal('action'),
  chatId: webIdSchema,
  chatTitle: z.string().max(512).nullish(),
  isGroup: z.boolean().default(false),
  /** The browser's id for this press. */
  actionId: webIdSchema,
  /** The message the button is on. */
  messageId: z.string().min(1).max(128),
  from: senderSchema,
  data: z.string().min(1).max(100),
});

/** What the web channel receives: its "platform updates". */
export const webUpdateSchema = z.discriminatedUnion('type', [
  webMessageUpdateSchema,
  webEditUpdateSchema,
  webActionUpdateSchema,
]);
export type WebUpdate = z.input<typeof webUpdateSchema>;

/**
 * A file sent to a web chat, without its content (pub/sub is no place for megabytes): the
 * page fetches it from the dashboard by `id`, as a download.
 */
export const webDocumentSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  mimeType: z.string(),
  bytes: z.number().int().nonnegative(),
});

/** A reply the assistant sent to a web chat, as browsers receive it. */
export const webReplySchema = z.object({
  jid: z.string(),
  messageId: z.string(),
  text: z.string(),
  replyTo: z.string().nullable(),
  sentAt: z.string(),
  document: webDocumentSchema.optional(),
  /** Buttons under the message; a press posts the button's id (see `webActionUpdateSchema`). */
  actions: z
    .array(
      z.object({
        id: z.string(),
        label: z.string(),
        style: z.enum(['primary', 'danger']).optional(),
      }),
    )
    .optional(),
  /**
   * The answer to a press on `messageId`'s button: `text` for the person who pressed, `edit`
   * the message's new text (its buttons gone), or null to leave it. The reply's own `text` is ''.
   */
  answer: z
    .object({ actionId: z.string(), text: z.string(), edit: z.string().nullable() })
    .optional(),
});
export type WebReply = z.infer<typeof webReplySchema>;

/** The assistant works in a web chat (`typing: true`, renewed while it does) or stopped. */
export const webTypingSchema = z.object({ jid: z.string(), typing: z.boolean() });
export type WebTyping = z.infer<typeof webTypingSchema>;

/** The reply as the model writes it (`draft`: the text so far), or `null` once the run ended. */
export const webDraftSchema = z.object({ jid: z.string(), draft: z.string().nullable() });
export type WebDraft = z.infer<typeof webDraftSchema>;

/** What the pages of a web chat receive live: replies, the typing state, and drafts. */
export const webLiveEventSchema = z.union([
  webTypingSchema.strict(),
  webDraftSchema.strict(),
  webReplySchema,
]);
export type WebLiveEvent = z.infer<typeof webLiveEventSchema>;
