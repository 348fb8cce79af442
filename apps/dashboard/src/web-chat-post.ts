import { MAX_WEB_UPLOADS, webIdSchema } from '@gridbot/channels';
import { MAX_INBOUND_TEXT } from '@gridbot/core';
import type { HonoRequest } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { badRequest, jsonBody } from './api/params.ts';

/** Largest image the web chat takes (the gateway's intake keeps up to the same). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Largest request body: every image at its largest, and the fields. */
export const MAX_POST_BYTES = MAX_WEB_UPLOADS * MAX_UPLOAD_BYTES + 256 * 1024;

/** What a browser posts to say something: JSON, or a form with images. */
export interface ChatPost {
  text: string;
  /** The browser's id for the message, so a resend after a timeout is not stored twice. */
  messageId?: string | undefined;
  /** The browser's IANA time zone; an unknown one is ignored. */
  timeZone?: string | undefined;
  images: File[];
}

const fieldsSchema = z.object({
  text: z.string().max(MAX_INBOUND_TEXT),
  messageId: webIdSchema.optional(),
  timeZone: z.string().max(64).optional(),
});

/**
 * Reads a message post: `application/json` (`{ text, messageId?, timeZone? }`) or
 * `multipart/form-data` with the same fields and up to four `image` files (each at most
 * 10 MB, of an `image/` type). Every refusal names what to change.
 */
export async function readChatPost(request: HonoRequest): Promise<ChatPost> {
  const type = request.header('content-type') ?? '';
  if (!type.startsWith('multipart/form-data')) {
    const body = await jsonBody(request, fieldsSchema);
    if (body.text.trim() === '') throw badRequest('text: the message is empty');
    return { ...body, images: [] };
  }
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await request.parseBody({ all: true });
  } catch {
    throw badRequest('the form could not be read');
  }
  const field = (name: string) => {
    const value = form[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw badRequest(`${name} must be a single text field`);
    return value;
  };
  const parsed = fieldsSchema.safeParse({
    text: field('text') ?? '',
    messageId: field('messageId'),
    timeZone: field('timeZone'),
  });
  if (!parsed.success) {
    throw badRequest(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  const raw = form.image === undefined ? [] : [form.image].flat();
  const images = raw.filter((value): value is File => typeof value !== 'string');
  if (images.length !== raw.length) throw badRequest('image must be a file');
  if (images.length > MAX_WEB_UPLOADS) {
    throw badRequest(`at most ${MAX_WEB_UPLOADS} images go with one message`);
  }
  for (const image of images) {
    if (!image.type.startsWith('image/')) {
      throw new HTTPException(415, {
        message: `${image.name} is not an image (${image.type || 'unknown type'}); the web chat takes images`,
      });
    }
    if (image.size > MAX_UPLOAD_BYTES) {
      throw new HTTPException(413, {
        message: `${image.name} is ${(image.size / 1024 / 1024).toFixed(1)} MB; images of up to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB are taken`,
      });
    }
  }
  if (parsed.data.text.trim() === '' && images.length === 0) {
    throw badRequest('text: the message is empty');
  }
  return { ...parsed.data, images };
}
