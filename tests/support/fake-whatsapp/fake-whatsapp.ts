/**
 * A fake WhatsApp Cloud API (Graph API) for tests, written from the Cloud API reference:
 * `GET /{version}/{phone-number-id}` (the number's display name), `POST
 * /{version}/{phone-number-id}/messages` (text, interactive reply buttons, document,
 * template; recorded), `POST /{version}/{phone-number-id}/media` (multipart upload),
 * `GET /{version}/{media-id}` and its download URL. Every call needs `Authorization: Bearer
 * <token>` (else error 190). Errors (131047, 130429, …) can be arranged for the next sends.
 * {@link postSignedWebhook} delivers a webhook to a gateway as Meta does, signed with the
 * app secret.
 */

import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from '../multipart.ts';
import { PHONE_NUMBER_ID, VERIFIED_NAME } from './whatsapp-payloads.ts';

/** The business number as the API shows it (its digits are `DISPLAY_NUMBER`). */
const DISPLAY_NUMBER_SHOWN = '+1 555-000-1234';

export const GRAPH_VERSION = 'v23.0';

/** A message GridBot sent. */
export interface WhatsAppSentMessage {
  id: string;
  recipientType: 'individual' | 'group';
  to: string;
  type: string;
  /** The text, the interactive body, the document caption, or the template name. */
  text: string;
  replyTo: string | null;
  /** Reply button ids, for an interactive message. */
  buttons: string[];
  /** For a document: its file name and content (from the upload). */
  document?: { fileName: string; content: string };
  body: Record<string, unknown>;
}

/** A Graph API error answer to arrange. */
export interface FakeGraphError {
  status: number;
  code: number;
  message: string;
  details?: string;
}

export interface FakeWhatsApp {
  /** API root with its version, for `graphUrl`. */
  graphUrl: string;
  sent: WhatsAppSentMessage[];
  /** Every call, in order: method and path. */
  calls: { method: string; path: string }[];
  /** Media served for downloads, by id. */
  media: Map<string, { data: Buffer; mimeType: string }>;
  /**
   * People whose 24-hour window is closed: a free-form send to them answers 131047, a
   * template goes through.
   */
  closedWindows: Set<string>;
  /** Received messages marked read (`status: read`), with the typing indicator or not. */
  reads: { messageId: string; typing: boolean; at: number }[];
  /** The next sends answer these errors, one each, in order. */
  failNextSends(...errors: FakeGraphError[]): void;
  close(): Promise<void>;
}

export interface FakeWhatsAppOptions {
  accessToken: string;
  phoneNumberId?: string;
}

type Rec = Record<string, unknown>;

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function graphError(res: ServerResponse, error: FakeGraphError): void {
  json(res, error.status, {
    error: {
      message: error.message,
      type: 'OAuthException',
      code: error.code,
      error_data: { messaging_product: 'whatsapp', details: error.details ?? error.message },
      fbtrace_id: 'AbCdEfGhIjKlMn',
    },
  });
}

/** Checks a send as the API does; the first problem found, or null. */
function invalidSend(body: Rec): string | null {
  if (body.messaging_product !== 'whatsapp') return 'messaging_product must be whatsapp';
  if (typeof body.to !== 'string' || body.to === '') return 'to is required';
  const type = body.type ?? 'text';
  const content = body[type as string] as Rec | undefined;
  if (!content) return `${String(type)} object is required`;
  if (type === 'text') {
    const text = content.body;
    if (typeof text !== 'string' || text.length === 0) return 'text.body is required';
    if (text.length > 4096) return 'text.body is longer than 4096 characters';
  }
  if (type === 'interactive') {
    const bodyText = (content.body as Rec | undefined)?.text;
    const buttons = ((content.action as Rec | undefined)?.buttons ?? []) as Rec[];
    if (typeof bodyText !== 'string' || bodyText.length > 1024) return 'interactive body over 1024';
    if (buttons.length < 1 || buttons.length > 3)
      return 'an interactive message takes 1 to 3 buttons';
    for (const button of buttons) {
      const title = (button.reply as Rec | undefined)?.title;
      if (typeof title !== 'string' || title.length > 20)
        return 'a button title is over 20 characters';
    }
  }
  return null;
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeWhatsApp(options: FakeWhatsAppOptions): Promise<FakeWhatsApp> {
  const phoneNumberId = options.phoneNumberId ?? PHONE_NUMBER_ID;
  const sent: WhatsAppSentMessage[] = [];
  const calls: { method: string; path: string }[] = [];
  const media = new Map<string, { data: Buffer; mimeType: string }>();
  const uploads = new Map<string, { fileName: string; content: string }>();
  const failures: FakeGraphError[] = [];
  const closedWindows = new Set<string>();
  const reads: { messageId: string; typing: boolean; at: number }[] = [];
  let ids = 0;
  let base = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    calls.push({ method: req.method ?? 'GET', path: url.pathname });
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) {
      await readRaw(req);
      return graphError(res, { status: 401, code: 190, message: 'Invalid OAuth access token' });
    }
    const download = /^\/media-download\/(.+)$/.exec(url.pathname);
    if (download) {
      const file = media.get(decodeURIComponent(download[1]!));
      if (!file) return json(res, 404, { error: { code: 100, message: 'no such media' } });
      res.writeHead(200, { 'content-type': file.mimeType });
      res.end(file.data);
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== GRAPH_VERSION)
      return graphError(res, { status: 400, code: 2500, message: 'Unknown path' });
    const [, node, edge] = parts;
    if (req.method === 'GET' && node === phoneNumberId && edge === undefined) {
      return json(res, 200, {
        display_phone_number: DISPLAY_NUMBER_SHOWN,
        verified_name: VERIFIED_NAME,
        id: phoneNumberId,
      });
    }
    if (req.method === 'GET' && node && edge === undefined && media.has(node)) {
      const file = media.get(node)!;
      return json(res, 200, {
        messaging_product: 'whatsapp',
        url: `${base}/media-download/${encodeURIComponent(node)}`,
        mime_type: file.mimeType,
        file_size: file.data.length,
        id: node,
      });
    }
    if (req.method === 'POST' && node === phoneNumberId && edge === 'media') {
      const form = await parseMultipart(await readRaw(req), req.headers['content-type'] ?? '');
      const file = form.files[0];
      if (form.fields.messaging_product !== 'whatsapp' || !file) {
        return graphError(res, {
          status: 400,
          code: 100,
          message: 'file and messaging_product are required',
        });
      }
      ids += 1;
      const id = `${900000000000000 + ids}`;
      uploads.set(id, { fileName: file.name, content: file.text });
      return json(res, 200, { id });
    }
    if (req.method === 'POST' && node === phoneNumberId && edge === 'messages') {
      const body = JSON.parse((await readRaw(req)).toString('utf8')) as Rec;
      if (body.status === 'read') {
        // Marks a received message read, with the typing indicator when asked.
        if (body.messaging_product !== 'whatsapp' || typeof body.message_id !== 'string') {
          return graphError(res, {
            status: 400,
            code: 100,
            message: '(#100) message_id is required',
          });
        }
        reads.push({
          messageId: body.message_id,
          typing: (body.typing_indicator as Rec | undefined)?.type === 'text',
          at: Date.now(),
        });
        return json(res, 200, { success: true });
      }
      const failure = failures.shift();
      if (failure) return graphError(res, failure);
      if (closedWindows.has(String(body.to)) && body.type !== 'template') {
        return graphError(res, {
          status: 400,
          code: 131047,
          message: 'Re-engagement message',
          details:
            'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        });
      }
      const problem = invalidSend(body);
      if (problem) return graphError(res, { status: 400, code: 100, message: `(#100) ${problem}` });
      ids += 1;
      const id = `wamid.HBgLMTU1NTAwMDEyMzQVAgARGBI${String(ids).padStart(8, '0')}`;
      const type = String(body.type ?? 'text');
      const content = body[type] as Rec;
      const interactive = type === 'interactive' ? content : null;
      const documentId = type === 'document' ? String(content.id) : null;
      const text =
        type === 'text'
          ? String(content.body)
          : type === 'interactive'
            ? String((content.body as Rec).text)
            : type === 'document'
              ? String(content.caption ?? '')
              : String(content.name ?? '');
      sent.push({
        id,
        recipientType: body.recipient_type === 'group' ? 'group' : 'individual',
        to: String(body.to),
        type,
        text,
        replyTo: ((body.context as Rec | undefined)?.message_id as string | undefined) ?? null,
        buttons: interactive
          ? (((interactive.action as Rec).buttons as Rec[]) ?? []).map((b) =>
              String((b.reply as Rec).id),
            )
          : [],
        ...(documentId && uploads.has(documentId) && { document: uploads.get(documentId)! }),
        body,
      });
      return json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id }],
      });
    }
    graphError(res, {
      status: 400,
      code: 100,
      message: `Unsupported ${req.method} ${url.pathname}`,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      json(res, 500, { error: { message: String(error) } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    graphUrl: `${base}/${GRAPH_VERSION}`,
    sent,
    calls,
    media,
    closedWindows,
    reads,
    failNextSends: (...errors) => failures.push(...errors),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** How {@link postSignedWebhook} signs: with the app secret, another secret, or not at all. */
export type WebhookSigning = { secret: string } | 'unsigned';

/** Posts a webhook body to a gateway as Meta does (`X-Hub-Signature-256`); its status and text. */
export async function postSignedWebhook(
  url: string,
  body: unknown,
  signing: WebhookSigning,
): Promise<{ status: number; text: string }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signing !== 'unsigned' && {
        'x-hub-signature-256': `sha256=${createHmac('sha256', signing.secret).update(raw).digest('hex')}`,
      }),
    },
    body: raw,
  });
  return { status: response.status, text: await response.text() };
}
