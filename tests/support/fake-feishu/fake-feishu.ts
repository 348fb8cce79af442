/**
 * A fake Feishu (Lark) for tests, written from the open platform's documentation, that the
 * real `@larksuiteoapi/node-sdk` runs against (its `domain` set to this server):
 *
 * - OpenAPI: the tenant access token, `GET /open-apis/bot/v3/info`, message create, reply
 *   and patch (with `uuid` idempotency: a second send with the same uuid returns the
 *   first message), file upload, message resources and the contact API's user. Text over
 *   150 KB and posts or cards over 30 KB are refused with 230025; `rateLimitNext` answers
 *   HTTP 429 with code 99991400 and `x-ogw-ratelimit-reset`.
 * - The long connection: `POST /callback/ws/endpoint` answers a WebSocket URL whose frames
 *   are protobuf `pbbp2.Frame`s (see `pbbp2.ts`); events go as data frames (method 1,
 *   `type: event`) and wait for the client's acknowledgement (the frame back with payload
 *   `{"code":200}`); one not acknowledged is pushed again after `redeliverAfterMs` and to
 *   the next connection. Pings are answered with pongs carrying the client config.
 * - The HTTP callback: `deliverHttp` posts an event to a URL, encrypted with the encrypt
 *   key and signed (`X-Lark-Signature`), as Feishu does.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { answerJson, readRequest } from '../fake-http.ts';
import { parseMultipart } from '../multipart.ts';
import { deliverSigned } from './feishu-callback.ts';
import { APP, BOT, GROUP, WANG, ZHAO } from './feishu-payloads.ts';
import { decodeFrame, encodeFrame } from './pbbp2.ts';

type Rec = Record<string, unknown>;
const SERVICE_ID = 7;
const CLIENT_CONFIG = {
  PingInterval: 5,
  ReconnectCount: -1,
  ReconnectInterval: 1,
  ReconnectNonce: 0,
};
const PEOPLE = new Map([WANG, ZHAO].map((p) => [p.openId, p]));

/** A message the bot sent (or patched). */
export interface SentFeishuMessage {
  messageId: string;
  chatId: string;
  msgType: string;
  content: Rec;
  /** The message it replied to, and whether in its thread. */
  replyTo: string | null;
  inThread: boolean;
  uuid: string | null;
}

export interface FakeFeishu {
  /** The `domain` to give the SDK. */
  url: string;
  sent: SentFeishuMessage[];
  patched: Array<{ messageId: string; content: Rec }>;
  uploads: Array<{ fileKey: string; name: string; content: string }>;
  requests: Array<{ method: string; path: string }>;
  /** Event ids acknowledged over the long connection, in order. */
  acks: string[];
  readonly connected: boolean;
  /** Long connections opened (endpoint calls answered). */
  readonly openings: number;
  waitForConnection(): Promise<void>;
  /** Pushes an event body over the long connection; returns its frame's message id. */
  push(event: Rec, options?: { raw?: Uint8Array }): string;
  pending(): number;
  drop(): void;
  rateLimitNext(count: number): void;
  /** A message id the message API reports as the bot's, as if it had sent it earlier. */
  seedBotMessage(): string;
  addResource(messageId: string, fileKey: string, data: Uint8Array, contentType: string): void;
  /** Posts `event` to a GridBot HTTP callback URL, encrypted and signed (or not); the response. */
  deliverHttp(
    url: string,
    event: Rec,
    options?: { encryptKey?: string | null; signWith?: string },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startFakeFeishu(
  options: { redeliverAfterMs?: number } = {},
): Promise<FakeFeishu> {
  const redeliverAfterMs = options.redeliverAfterMs ?? 60_000;
  const sent: SentFeishuMessage[] = [];
  const patched: FakeFeishu['patched'] = [];
  const uploads: FakeFeishu['uploads'] = [];
  const requests: FakeFeishu['requests'] = [];
  const acks: string[] = [];
  const tokens = new Set<string>();
  const resources = new Map<string, { data: Uint8Array; contentType: string }>();
  const byUuid = new Map<string, SentFeishuMessage>();
  /** Messages known as the bot's besides those sent here (a test's earlier history). */
  const botMessages = new Set<string>();
  /** The chat of each person's message delivered, where a reply to it goes. */
  const chatOf = new Map<string, string>();
  const noteChat = (event: Rec) => {
    const message = (event.event as Rec | undefined)?.message as Rec | undefined;
    if (typeof message?.message_id === 'string' && typeof message.chat_id === 'string')
      chatOf.set(message.message_id, message.chat_id);
  };
  const unacked = new Map<
    string,
    { frame: Uint8Array; eventId: string; timer: NodeJS.Timeout | null }
  >();
  let live: WebSocket | null = null;
  let waiters: Array<() => void> = [];
  let rateLimited = 0;
  let openings = 0;
  let sequence = 0;

  const deliver = (id: string) => {
    const entry = unacked.get(id);
    if (!entry) return;
    if (live && live.readyState === live.OPEN) live.send(entry.frame);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => deliver(id), redeliverAfterMs);
  };

  function send(res: ServerResponse, chatId: string, body: Rec, replyTo: string | null): true {
    const uuid = typeof body.uuid === 'string' ? body.uuid : null;
    const earlier = uuid ? byUuid.get(uuid) : undefined;
    if (earlier)
      return answerJson(res, 200, {
        code: 0,
        msg: 'success',
        data: { message_id: earlier.messageId, chat_id: earlier.chatId },
      });
    const msgType = String(body.msg_type);
    const raw = String(body.content ?? '');
    const limit = msgType === 'text' ? 150 * 1024 : 30 * 1024;
    if (Buffer.byteLength(raw) > limit)
      return answerJson(res, 400, {
        code: 230025,
        msg: 'The length of the message content reaches its limit.',
      });
    let content: Rec;
    try {
      content = JSON.parse(raw) as Rec;
    } catch {
      return answerJson(res, 400, { code: 230001, msg: 'invalid content: not JSON' });
    }
    const message: SentFeishuMessage = {
      messageId: `om_sent${(++sequence).toString().padStart(20, '0')}`,
      chatId,
      msgType,
      content,
      replyTo,
      inThread: body.reply_in_thread === true,
      uuid,
    };
    sent.push(message);
    if (uuid) byUuid.set(uuid, message);
    return answerJson(res, 200, {
      code: 0,
      msg: 'success',
      data: { message_id: message.messageId, chat_id: chatId, msg_type: msgType },
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const raw = await readRequest(req);
    const multipart = String(req.headers['content-type'] ?? '').startsWith('multipart/');
    let body: Rec = {};
    if (raw.length > 0 && !multipart) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Rec;
      } catch {
        return answerJson(res, 400, { code: 9499, msg: 'malformed JSON' });
      }
    }
    if (method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (body.app_id !== APP.appId || body.app_secret !== APP.appSecret)
        return answerJson(res, 200, { code: 10014, msg: 'app secret invalid' });
      const token = `t-fake${randomBytes(8).toString('hex')}`;
      tokens.add(token);
      return answerJson(res, 200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
    }
    if (method === 'POST' && path === '/callback/ws/endpoint') {
      if (body.AppID !== APP.appId || body.AppSecret !== APP.appSecret)
        return answerJson(res, 200, { code: 1000040351, msg: 'app not found or secret wrong' });
      openings += 1;
      const { port } = server.address() as AddressInfo;
      const URL = `ws://127.0.0.1:${port}/ws/v2?fpid=493&aid=552564&device_id=fake-device&access_key=k&service_id=${SERVICE_ID}&ticket=${randomBytes(6).toString('hex')}`;
      return answerJson(res, 200, {
        code: 0,
        msg: 'ok',
        data: { URL, ClientConfig: CLIENT_CONFIG },
      });
    }
    const auth = String(req.headers.authorization ?? '');
    if (!tokens.has(auth.replace(/^Bearer /, '')))
      return answerJson(res, 401, {
        code: 99991663,
        msg: 'Invalid access token for authorization.',
      });
    if (method === 'GET' && path === '/open-apis/bot/v3/info') {
      return answerJson(res, 200, {
        code: 0,
        msg: 'ok',
        bot: { open_id: BOT.openId, app_name: BOT.name, activate_status: 2 },
      });
    }
    const user = /^\/open-apis\/contact\/v3\/users\/([^/]+)$/.exec(path);
    if (method === 'GET' && user) {
      const person = PEOPLE.get(decodeURIComponent(user[1]!));
      if (!person) return answerJson(res, 400, { code: 41050, msg: 'no user authority error' });
      return answerJson(res, 200, {
        code: 0,
        msg: 'ok',
        data: { user: { open_id: person.openId, name: person.name, time_zone: person.timeZone } },
      });
    }
    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
    if (method === 'GET' && resource) {
      const found = resources.get(`${resource[1]}/${resource[2]}`);
      if (!found) return answerJson(res, 400, { code: 234003, msg: 'File not in msg.' });
      res.writeHead(200, {
        'content-type': found.contentType,
        'content-length': found.data.byteLength,
      });
      res.end(found.data);
      return;
    }
    if (method === 'POST' && path === '/open-apis/im/v1/files') {
      const form = await parseMultipart(raw, String(req.headers['content-type']));
      // The SDK posts the bytes as a part without a file name: a field here.
      const file = form.files.find((f) => f.field === 'file')?.text ?? form.fields.file;
      if (file === undefined || !form.fields.file_type || !form.fields.file_name)
        return answerJson(res, 400, { code: 234001, msg: 'Invalid request param.' });
      const fileKey = `file_v3_${randomBytes(8).toString('hex')}`;
      uploads.push({ fileKey, name: form.fields.file_name, content: file });
      return answerJson(res, 200, { code: 0, msg: 'success', data: { file_key: fileKey } });
    }
    if (path.startsWith('/open-apis/im/v1/messages') && rateLimited > 0) {
      rateLimited -= 1;
      return answerJson(
        res,
        429,
        { code: 99991400, msg: 'request trigger frequency limit' },
        { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' },
      );
    }
    if (method === 'POST' && path === '/open-apis/im/v1/messages') {
      if (url.searchParams.get('receive_id_type') !== 'chat_id')
        return answerJson(res, 400, { code: 230001, msg: 'receive_id_type must be chat_id here' });
      return send(res, String(body.receive_id), body, null);
    }
    const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
    if (method === 'POST' && reply) {
      const id = decodeURIComponent(reply[1]!);
      // A message of the fake's history (not sent here) is in the group.
      const original = sent.find((m) => m.messageId === id);
      return send(res, original?.chatId ?? chatOf.get(id) ?? GROUP.chatId, body, id);
    }
    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
    if (method === 'GET' && patch) {
      const id = decodeURIComponent(patch[1]!);
      const bots = botMessages.has(id) || sent.some((m) => m.messageId === id);
      const sender = bots
        ? { id: APP.appId, id_type: 'app_id', sender_type: 'app', tenant_key: 'fake-tenant' }
        : { id: WANG.openId, id_type: 'open_id', sender_type: 'user', tenant_key: 'fake-tenant' };
      return answerJson(res, 200, {
        code: 0,
        msg: 'success',
        data: { items: [{ message_id: id, sender }] },
      });
    }
    if (method === 'PATCH' && patch) {
      patched.push({
        messageId: decodeURIComponent(patch[1]!),
        content: JSON.parse(String(body.content)) as Rec,
      });
      return answerJson(res, 200, { code: 0, msg: 'success', data: {} });
    }
    return answerJson(res, 404, { code: 404, msg: `fake feishu: no route ${method} ${path}` });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({ method: req.method ?? 'GET', path: url.pathname });
    route(req, res, url).catch((error: Error) =>
      answerJson(res, 500, { code: 500, msg: error.message }),
    );
  });
  const wss = new WebSocketServer({ server, path: '/ws/v2' });
  wss.on('connection', (ws) => {
    live?.close(1000, 'replaced');
    live = ws;
    ws.on('message', (data) => {
      const frame = decodeFrame(new Uint8Array(data as Buffer));
      if (frame.method === 0 && frame.headers.type === 'ping') {
        ws.send(
          encodeFrame({
            SeqID: 0,
            LogID: 0,
            service: SERVICE_ID,
            method: 0,
            headers: { type: 'pong' },
            payload: new TextEncoder().encode(JSON.stringify(CLIENT_CONFIG)),
          }),
        );
        return;
      }
      const id = frame.headers.message_id ?? '';
      const entry = unacked.get(id);
      if (!entry || !frame.payload) return;
      const answer = JSON.parse(new TextDecoder().decode(frame.payload)) as { code?: number };
      if (answer.code === 200) {
        if (entry.timer) clearTimeout(entry.timer);
        unacked.delete(id);
        acks.push(entry.eventId);
      }
    });
    ws.on('close', () => {
      if (live === ws) live = null;
    });
    for (const id of unacked.keys()) deliver(id);
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    patched,
    uploads,
    requests,
    acks,
    get connected() {
      return live !== null && live.readyState === live.OPEN;
    },
    get openings() {
      return openings;
    },
    waitForConnection() {
      if (live !== null) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    push(event, pushOptions = {}) {
      noteChat(event);
      const id = `msg_${randomBytes(6).toString('hex')}`;
      const eventId = String((event.header as Rec | undefined)?.event_id ?? id);
      const frame = encodeFrame({
        SeqID: ++sequence,
        LogID: sequence,
        service: SERVICE_ID,
        method: 1,
        headers: { type: 'event', message_id: id, sum: '1', seq: '0', trace_id: `trace-${id}` },
        payload: pushOptions.raw ?? new TextEncoder().encode(JSON.stringify(event)),
      });
      unacked.set(id, { frame, eventId, timer: null });
      deliver(id);
      return id;
    },
    pending: () => unacked.size,
    drop() {
      live?.terminate();
      live = null;
    },
    rateLimitNext(count) {
      rateLimited += count;
    },
    seedBotMessage() {
      const id = `om_seed${randomBytes(8).toString('hex')}`;
      botMessages.add(id);
      return id;
    },
    addResource(messageId, fileKey, data, contentType) {
      resources.set(`${messageId}/${fileKey}`, { data, contentType });
    },
    async deliverHttp(target, event, deliverOptions = {}) {
      noteChat(event);
      return deliverSigned(target, event, deliverOptions);
    },
    async close() {
      for (const entry of unacked.values()) if (entry.timer) clearTimeout(entry.timer);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
