import { randomUUID } from 'node:crypto';
import {
  type WebAdapter,
  type WebLiveEvent,
  type WebUpload,
  type WebUploads,
  webIdSchema,
} from '@gridbot/channels';
import { buildJid } from '@gridbot/core';
import type { Database } from '@gridbot/db';
import type { Gateway } from '@gridbot/gateway';
import type { ArtifactStore, Logger } from '@gridbot/service';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { badRequest, jsonBody } from './api/params.ts';
import type { DashboardEnv } from './dashboard-env.ts';
import { webDocument, webHistory, webImage } from './read-models/web-history.ts';
import { MAX_POST_BYTES, readChatPost } from './web-chat-post.ts';

/** The platform user id of whoever is logged in to the dashboard. */
export const OPERATOR_ID = 'operator';
const KEEPALIVE_MS = 15_000;

export interface WebChatOptions {
  adapter: WebAdapter;
  /** The `web` channel's gateway (ingress and egress), started by the caller. */
  gateway: Gateway;
  db: Kysely<Database>;
  logger: Logger;
  /** Where images posted with messages wait for the gateway; without it none are taken. */
  uploads?: WebUploads;
  /** Where the gateway keeps the chat's images, to show them on the page. */
  artifactStore?: ArtifactStore;
}

const pressSchema = z.object({
  /** The message the button is on (its platform id, as the reply named it). */
  messageId: z.string().min(1).max(128),
  /** The button's id, as the reply carried it (`approve:12`). */
  data: z.string().min(1).max(100),
  /** The browser's id for the press, so its answer finds the page that pressed. */
  actionId: webIdSchema.optional(),
});

/**
 * The web chat's API (and the terminal's, for `cli`): post a message into `web:<chatId>`
 * (`cli:<chatId>`) through the gateway's ingress,
 * like any platform update), read the conversation, and stream replies as server-sent
 * events while the page is open.
 */
export class WebChat {
  readonly #options: WebChatOptions;

  constructor(options: WebChatOptions) {
    this.#options = options;
  }

  get gateway(): Gateway {
    return this.#options.gateway;
  }

  /** Routes under `/api/chat`. */
  api(): Hono<DashboardEnv> {
    const api = new Hono<DashboardEnv>();
    const jidOf = (chatId: string) => chatJid(this.#options.adapter.channel, chatId);
    api.get('/:chatId/messages', async (c) => {
      const jid = jidOf(c.req.param('chatId'));
      return c.json({ jid, entries: await webHistory(this.#options.db, jid) });
    });
    const postLimit = bodyLimit({
      maxSize: MAX_POST_BYTES,
      onError: () => {
        throw new HTTPException(413, {
          message: `the message is over ${Math.round(MAX_POST_BYTES / 1024 / 1024)} MB with its images`,
        });
      },
    });
    api.post('/:chatId/messages', postLimit, async (c) => {
      const chatId = c.req.param('chatId');
      jidOf(chatId);
      const body = await readChatPost(c.req);
      const messageId = body.messageId ?? `u-${randomUUID()}`;
      const uploads = await this.#stage(body.images);
      try {
        await this.#options.adapter.handleUpdate({
          type: 'message',
          chatId,
          isGroup: false,
          messageId,
          from: {
            id: OPERATOR_ID,
            name: 'Operator',
            ...(body.timeZone && { timeZone: body.timeZone }),
          },
          text: body.text,
          uploads,
        });
      } catch (error) {
        this.#options.logger.warn({ err: error, chatId }, 'web chat message not stored');
        throw new HTTPException(503, {
          message: 'The message was not stored (the database is unreachable); send it again.',
        });
      }
      return c.json({ messageId }, 202);
    });
    // A press on a button of the assistant's message: answered on the event stream.
    api.post('/:chatId/actions', async (c) => {
      const chatId = c.req.param('chatId');
      jidOf(chatId);
      const body = await jsonBody(c.req, pressSchema);
      const actionId = body.actionId ?? `p-${randomUUID()}`;
      try {
        await this.#options.adapter.handleUpdate({
          type: 'action',
          chatId,
          isGroup: false,
          actionId,
          messageId: body.messageId,
          from: { id: OPERATOR_ID, name: 'Operator' },
          data: body.data,
        });
      } catch (error) {
        this.#options.logger.warn({ err: error, chatId }, 'web chat press not handled');
        throw new HTTPException(503, {
          message: 'The press was not taken (the database is unreachable); press again.',
        });
      }
      return c.json({ actionId }, 202);
    });
    // A file the chat was sent (`/history export`): its outbox row holds it.
    api.get('/:chatId/documents/:documentId', async (c) => {
      const jid = jidOf(c.req.param('chatId'));
      const id = Number(c.req.param('documentId'));
      const document = Number.isSafeInteger(id)
        ? await webDocument(this.#options.db, jid, id)
        : null;
      if (!document)
        throw new HTTPException(404, { message: 'There is no such file in this chat.' });
      return c.body(document.content, 200, {
        'content-type': `${document.mimeType}; charset=utf-8`,
        'content-disposition': `attachment; filename="${document.fileName.replace(/[^\w.-]/g, '_')}"`,
      });
    });
    // An image of the chat (its artifact number), as the gateway stored it.
    api.get('/:chatId/images/:imageId', async (c) => {
      const jid = jidOf(c.req.param('chatId'));
      const id = Number(c.req.param('imageId'));
      const image = Number.isSafeInteger(id) ? await webImage(this.#options.db, jid, id) : null;
      const store = this.#options.artifactStore;
      const data = image && store ? await store.get(image.storageKey).catch(() => null) : null;
      if (!image || !data)
        throw new HTTPException(404, { message: 'There is no such image in this chat.' });
      return c.body(new Uint8Array(data), 200, {
        'content-type': image.mimeType,
        'cache-control': 'private, max-age=86400, immutable',
        'x-content-type-options': 'nosniff',
      });
    });
    api.get('/:chatId/events', (c) => {
      const jid = jidOf(c.req.param('chatId'));
      return streamSSE(c, async (stream) => {
        const pending: WebLiveEvent[] = [];
        let wake: (() => void) | null = null;
        const unwatch = this.#options.adapter.watch(jid, (reply) => {
          pending.push(reply);
          wake?.();
        });
        stream.onAbort(() => {
          unwatch();
          wake?.();
        });
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ jid }) });
        while (!stream.aborted && !stream.closed) {
          const next = pending.shift();
          if (next && 'typing' in next) {
            await stream.writeSSE({ event: 'typing', data: JSON.stringify(next) });
            continue;
          }
          if (next && 'draft' in next) {
            await stream.writeSSE({ event: 'draft', data: JSON.stringify(next) });
            continue;
          }
          if (next) {
            await stream.writeSSE({
              event: 'reply',
              id: next.messageId,
              data: JSON.stringify(next),
            });
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, KEEPALIVE_MS).unref();
          });
          wake = null;
          if (pending.length === 0 && !stream.aborted) await stream.write(': keepalive\n\n');
        }
        unwatch();
      });
    });
    return api;
  }

  /** Stages a post's images for the gateway's intake; a 503 when they cannot be written. */
  async #stage(images: readonly File[]): Promise<WebUpload[]> {
    if (images.length === 0) return [];
    const { uploads } = this.#options;
    if (!uploads) throw new HTTPException(400, { message: 'This chat takes no images.' });
    try {
      return await Promise.all(
        images.map(async (image) => ({
          uploadId: await uploads.put(new Uint8Array(await image.arrayBuffer())),
          fileName: image.name || null,
          mimeType: image.type,
          sizeBytes: image.size,
        })),
      );
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'web chat images could not be staged');
      throw new HTTPException(503, { message: 'The images could not be saved; send them again.' });
    }
  }
}

function chatJid(channel: string, chatId: string): string {
  if (!webIdSchema.safeParse(chatId).success) {
    throw badRequest('chatId must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"');
  }
  return buildJid(channel, chatId);
}
