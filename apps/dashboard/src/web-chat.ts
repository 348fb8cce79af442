import { randomUUID } from 'node:crypto';
import {
  type WebAdapter,
  type WebLiveEvent,
  webIdSchema,
  webMessageUpdateSchema,
} from '@gridbot/channels';
import { buildJid } from '@gridbot/core';
import type { Database } from '@gridbot/db';
import type { Gateway } from '@gridbot/gateway';
import type { Logger } from '@gridbot/service';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { badRequest, jsonBody } from './api/params.ts';
import type { DashboardEnv } from './dashboard-env.ts';
import { webDocument, webHistory } from './read-models/web-history.ts';

/** The platform user id of whoever is logged in to the dashboard. */
export const OPERATOR_ID = 'operator';
const KEEPALIVE_MS = 15_000;

export interface WebChatOptions {
  adapter: WebAdapter;
  /** The `web` channel's gateway (ingress and egress), started by the caller. */
  gateway: Gateway;
  db: Kysely<Database>;
  logger: Logger;
}

const postSchema = z.object({
  text: webMessageUpdateSchema.shape.text,
  /** The browser's id for the message, so a resend after a timeout is not stored twice. */
  messageId: webIdSchema.optional(),
  /** The browser's IANA time zone; an unknown one is ignored. */
  timeZone: z.string().max(64).optional(),
});

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
    api.post('/:chatId/messages', async (c) => {
      const chatId = c.req.param('chatId');
      jidOf(chatId);
      const body = await jsonBody(c.req, postSchema);
      const messageId = body.messageId ?? `u-${randomUUID()}`;
      try {
        await this.#options.adapter.handleUpdate({
          type: 'message',
          chatId,
          chatTitle: 'Web chat',
          isGroup: false,
          messageId,
          from: {
            id: OPERATOR_ID,
            name: 'Operator',
            ...(body.timeZone && { timeZone: body.timeZone }),
          },
          text: body.text,
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
          chatTitle: 'Web chat',
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
}

function chatJid(channel: string, chatId: string): string {
  if (!webIdSchema.safeParse(chatId).success) {
    throw badRequest('chatId must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"');
  }
  return buildJid(channel, chatId);
}
