/**
 * A fake Slack for tests, written from the Web API and Socket Mode docs, so that Bolt and
 * `@slack/web-api` run for real against it. Web API methods (POST, form-encoded or JSON,
 * `Authorization: Bearer <token>`): `auth.test`, `apps.connections.open` (app token; hands
 * out the Socket Mode URL), `chat.postMessage`, `chat.update`, `chat.postEphemeral`,
 * `users.info`, `conversations.info`, `files.info`, and the upload flow
 * (`files.getUploadURLExternal`, the upload URL, `files.completeUploadExternal`).
 * A 429 with `Retry-After` can be arranged per method. {@link signedDelivery} posts an
 * event to a gateway in HTTP mode with a v0 signature.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMultipart, parseMultipart } from '../multipart.ts';
import { FakeSocketMode } from './fake-socket-mode.ts';
import {
  ALICE,
  BOB,
  BOT_ID,
  BOT_USER,
  CHANNELS,
  type FakeSlackUser,
  nextTs,
  TEAM_ID,
} from './slack-payloads.ts';

/** A message GridBot posted (`chat.postMessage`, or a file shared by the upload flow). */
export interface SlackSentMessage {
  channel: string;
  text: string;
  ts: string;
  threadTs: string | null;
  unfurlLinks: unknown;
  blocks: unknown[] | null;
  /** For a file upload: its name and content. */
  file?: { fileName: string; content: string };
  /** The whole request, as parsed. */
  body: Record<string, unknown>;
}

export interface FakeSlackOptions {
  botToken: string;
  appToken?: string;
  /** Server ping interval of the Socket Mode connection. Default 5 s. */
  pingMs?: number;
}

export interface FakeSlack {
  /** The Web API root, with its trailing slash (for `slackApiUrl`). */
  apiUrl: string;
  socket: FakeSocketMode;
  sent: SlackSentMessage[];
  /** `chat.update` calls (channel, ts, text, blocks). */
  updates: Record<string, unknown>[];
  /** `chat.postEphemeral` calls. */
  ephemerals: Record<string, unknown>[];
  /** Every Web API call by method name, in order. */
  calls: { method: string; body: Record<string, unknown> }[];
  users: Map<string, FakeSlackUser>;
  /**
   * Files people shared, by id: `files.info` describes them and their `url_private` serves
   * the bytes to a request with the bot token, as Slack does.
   */
  files: Map<string, { name: string; mimeType: string; data: Buffer }>;
  /** The next `count` calls of `method` get a 429 with `Retry-After: seconds`. */
  rateLimit(method: string, seconds: number, count?: number): void;
  /** The next call of `method` fails with `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  close(): Promise<void>;
}

const CONVERSATIONS: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.values(CHANNELS).map((c) => [c.id, c]),
);

async function readBody(
  req: IncomingMessage,
): Promise<{ body: Record<string, unknown>; raw: Buffer }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (isMultipart(req)) {
    const form = await parseMultipart(raw, type);
    const body: Record<string, unknown> = { ...form.fields };
    if (form.files[0]) body.__file = form.files[0].text;
    return { body, raw };
  }
  if (type.startsWith('application/json')) {
    return {
      body: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {},
      raw,
    };
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    // Slack's form encoding carries objects (blocks, …) as JSON strings.
    // and booleans as "true" / "false".
    body[key] = /^[[{]/.test(value)
      ? safeJson(value)
      : value === 'true'
        ? true
        : value === 'false'
          ? false
          : value;
  }
  return { body, raw };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const sent: SlackSentMessage[] = [];
  const updates: Record<string, unknown>[] = [];
  const ephemerals: Record<string, unknown>[] = [];
  const calls: { method: string; body: Record<string, unknown> }[] = [];
  const users = new Map<string, FakeSlackUser>([ALICE, BOB, BOT_USER].map((u) => [u.id, u]));
  const limits = new Map<string, { seconds: number; count: number }>();
  const failures = new Map<string, string>();
  const uploads = new Map<string, { fileName: string; content: string | null }>();
  const files = new Map<string, { name: string; mimeType: string; data: Buffer }>();
  let base = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) =>
      reply(res, 500, { ok: false, error: String(error) }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const { body } = await readBody(req);
    const shared = /^\/files-pri\/(F[A-Z0-9]+)\//.exec(url.pathname);
    if (req.method === 'GET' && shared) {
      // url_private: the bot token in the Authorization header, else Slack's sign-in page.
      const file = files.get(shared[1]!);
      if (!file || req.headers.authorization !== `Bearer ${options.botToken}`) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
        return;
      }
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.data.length });
      res.end(file.data);
      return;
    }
    if (url.pathname.startsWith('/upload/')) {
      const id = url.pathname.slice('/upload/'.length);
      const upload = uploads.get(id);
      if (!upload) return reply(res, 404, { ok: false, error: 'no such upload' });
      upload.content = typeof body.__file === 'string' ? body.__file : String(body.body ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${upload.content.length}`);
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const token =
      (req.headers.authorization ?? '').replace(/^Bearer /, '') || String(body.token ?? '');
    calls.push({ method, body });
    const limit = limits.get(method);
    if (limit && limit.count > 0) {
      limit.count -= 1;
      return reply(
        res,
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(limit.seconds) },
      );
    }
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return reply(res, 200, { ok: false, error: failure });
    }
    if (method === 'apps.connections.open') {
      if (options.appToken === undefined || token !== options.appToken)
        return reply(res, 200, { ok: false, error: 'invalid_auth' });
      return reply(res, 200, { ok: true, url: socket.issueUrl(base) });
    }
    if (token !== options.botToken) return reply(res, 200, { ok: false, error: 'invalid_auth' });
    const channel = String(body.channel ?? body.channel_id ?? '');
    switch (method) {
      case 'auth.test':
        return reply(res, 200, {
          ok: true,
          url: 'https://gridbot-tests.slack.com/',
          team: 'GridBot Tests',
          user: BOT_USER.name,
          team_id: TEAM_ID,
          user_id: BOT_USER.id,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        });
      case 'chat.postMessage': {
        if (!CONVERSATIONS[channel])
          return reply(res, 200, { ok: false, error: 'channel_not_found' });
        const text = String(body.text ?? '');
        if (text.length > 40_000) return reply(res, 200, { ok: false, error: 'msg_too_long' });
        const ts = nextTs();
        const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : null;
        sent.push({
          channel,
          text,
          ts,
          threadTs,
          unfurlLinks: body.unfurl_links,
          blocks: Array.isArray(body.blocks) ? body.blocks : null,
          body,
        });
        return reply(res, 200, {
          ok: true,
          channel,
          ts,
          message: { text, ts, user: BOT_USER.id, bot_id: BOT_ID },
        });
      }
      case 'chat.update':
        updates.push(body);
        return reply(res, 200, { ok: true, channel, ts: body.ts, text: body.text });
      case 'chat.postEphemeral':
        ephemerals.push(body);
        return reply(res, 200, { ok: true, message_ts: nextTs() });
      case 'users.info': {
        const user = users.get(String(body.user));
        if (!user) return reply(res, 200, { ok: false, error: 'user_not_found' });
        return reply(res, 200, { ok: true, user: { ...user, team_id: TEAM_ID } });
      }
      case 'conversations.info': {
        const conversation = CONVERSATIONS[channel];
        if (!conversation) return reply(res, 200, { ok: false, error: 'channel_not_found' });
        return reply(res, 200, { ok: true, channel: conversation });
      }
      case 'files.info': {
        const id = String(body.file);
        const known = files.get(id);
        const name = known?.name ?? 'file';
        return reply(res, 200, {
          ok: true,
          file: {
            id,
            name,
            ...(known && { mimetype: known.mimeType, size: known.data.length }),
            url_private: `${base}/files-pri/${id}/${encodeURIComponent(name)}`,
            url_private_download: `${base}/files-pri/${id}/download/${encodeURIComponent(name)}`,
          },
        });
      }
      case 'files.getUploadURLExternal': {
        const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
        uploads.set(id, { fileName: String(body.filename), content: null });
        return reply(res, 200, { ok: true, upload_url: `${base}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = (Array.isArray(body.files) ? body.files : []) as {
          id: string;
          title?: string;
        }[];
        for (const file of files) {
          const upload = uploads.get(file.id);
          if (!upload) return reply(res, 200, { ok: false, error: 'file_not_found' });
          sent.push({
            channel,
            text: String(body.initial_comment ?? ''),
            ts: nextTs(),
            threadTs: typeof body.thread_ts === 'string' ? body.thread_ts : null,
            unfurlLinks: undefined,
            blocks: null,
            file: { fileName: upload.fileName, content: upload.content ?? '' },
            body,
          });
        }
        return reply(res, 200, {
          ok: true,
          files: files.map((f) => ({ id: f.id, title: f.title ?? '' })),
        });
      }
      default:
        return reply(res, 200, { ok: false, error: 'unknown_method' });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const socket = new FakeSocketMode(server, options.pingMs ?? 5_000);
  return {
    apiUrl: `${base}/api/`,
    socket,
    sent,
    updates,
    ephemerals,
    calls,
    users,
    files,
    rateLimit: (method, seconds, count = 1) => limits.set(method, { seconds, count }),
    failNext: (method, error) => failures.set(method, error),
    close: async () => {
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The v0 signature Slack puts on a request: `v0=` + HMAC-SHA256 of `v0:<ts>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Posts an Events API body (JSON) or an interactive payload (form field `payload`) to a
 * gateway in HTTP mode, signed with `secret` as Slack signs it. `timestamp` (seconds) and
 * `signature` override the real ones, to forge; `retryNum` sets `X-Slack-Retry-Num`.
 */
export function signedDelivery(
  url: string,
  payload: Record<string, unknown>,
  options: {
    secret: string;
    timestamp?: number;
    signature?: string | null;
    retryNum?: number;
    interactive?: boolean;
  },
): Promise<Response> {
  const body = options.interactive
    ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
    : JSON.stringify(payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    options.signature === undefined
      ? slackSignature(options.secret, timestamp, body)
      : options.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.interactive
        ? 'application/x-www-form-urlencoded'
        : 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      ...(signature !== null && { 'x-slack-signature': signature }),
      ...(options.retryNum !== undefined && {
        'x-slack-retry-num': String(options.retryNum),
        'x-slack-retry-reason': 'http_timeout',
      }),
    },
    body,
  });
}
