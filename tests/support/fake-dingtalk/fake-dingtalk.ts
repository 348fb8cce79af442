/**
 * A fake DingTalk for tests, written from DingTalk's open platform documentation, that the
 * real `dingtalk-stream` SDK and GridBot's robot API client run against:
 *
 * - Stream mode: `POST /v1.0/gateway/connections/open` (the app's credentials and its
 *   subscriptions) answers an endpoint and a one-use ticket; the WebSocket at
 *   `/connect?ticket=…` carries CALLBACK frames (`{specVersion, type, headers, data}` with
 *   `data` a JSON string), which the client acknowledges with `{code: 200, headers:
 *   {messageId}}`. A push not acknowledged is pushed again after `redeliverAfterMs` and to
 *   the next connection (DingTalk retries unacknowledged pushes). SYSTEM `ping` frames are
 *   echoed by the client.
 * - OpenAPI: `POST /v1.0/oauth2/accessToken`, `POST /v1.0/robot/groupMessages/send`,
 *   `POST /v1.0/robot/oToMessages/batchSend` (with `x-acs-dingtalk-access-token`), and
 *   `POST /v1.0/robot/messageFiles/download`; the legacy `POST /media/upload`.
 *
 *   const dingtalk = await startFakeDingTalk();
 *   dingtalk.push(robotMessage({ text: 'hi' }));
 *   await waitFor('a reply', () => dingtalk.sent.length === 1);
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { answerJson, readRequest } from '../fake-http.ts';
import { parseMultipart } from '../multipart.ts';
import { APP } from './dingtalk-payloads.ts';

type Rec = Record<string, unknown>;
const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
/** DingTalk refuses a message whose body passes this many bytes. */
const MAX_MESSAGE_BYTES = 20_000;

/** A robot message GridBot sent. */
export interface SentRobotMessage {
  to: { kind: 'group'; conversationId: string } | { kind: 'user'; staffIds: string[] };
  msgKey: string;
  msgParam: Rec;
  processQueryKey: string;
}

export interface FakeDingTalkOptions {
  /** How long a push waits for its acknowledgement before it is pushed again. Default 60 s. */
  redeliverAfterMs?: number;
}

export interface FakeDingTalk {
  /** The OpenAPI root to give the adapter (`apiBase`); the legacy API is served here too. */
  apiBase: string;
  sent: SentRobotMessage[];
  /** Files uploaded to the media API: name and content. */
  uploads: Array<{ mediaId: string; name: string; content: string }>;
  /** Every request: method and path. */
  requests: Array<{ method: string; path: string }>;
  /** Subscriptions of each connection opened. */
  openings: Array<Array<{ type: string; topic: string }>>;
  /** Message ids of the pushes acknowledged, in order (a repeat when acknowledged again). */
  acks: string[];
  /** Whether a Stream connection is open. */
  readonly connected: boolean;
  /** Resolves once a Stream connection is open (at once if one is). */
  waitForConnection(): Promise<void>;
  /** Pushes a robot message callback (the frame's `data`); returns the push's messageId. */
  push(data: unknown, options?: { rawData?: string }): string;
  /** Pushes acknowledged pushes never are (still waiting). */
  pending(): number;
  /** Sends a SYSTEM ping; resolves with the client's answer. */
  ping(): Promise<Rec>;
  /** Closes the live connection (the SDK reconnects). */
  drop(): void;
  /** Answers the next `count` send calls with DingTalk's QPS limit (HTTP 403). */
  rateLimitNext(count: number): void;
  /** Serves a file for a `downloadCode`, as a person's picture or file. */
  addFile(downloadCode: string, data: Uint8Array, contentType: string): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startFakeDingTalk(options: FakeDingTalkOptions = {}): Promise<FakeDingTalk> {
  const redeliverAfterMs = options.redeliverAfterMs ?? 60_000;
  const sent: SentRobotMessage[] = [];
  const uploads: FakeDingTalk['uploads'] = [];
  const requests: FakeDingTalk['requests'] = [];
  const openings: FakeDingTalk['openings'] = [];
  const acks: string[] = [];
  const tickets = new Set<string>();
  const tokens = new Set<string>();
  const files = new Map<string, { data: Uint8Array; contentType: string }>();
  /** Pushes not acknowledged yet: their frame and redelivery timer. */
  const unacked = new Map<string, { frame: string; timer: NodeJS.Timeout | null }>();
  const pings = new Map<string, (answer: Rec) => void>();
  let live: WebSocket | null = null;
  let waiters: Array<() => void> = [];
  let rateLimited = 0;
  let sequence = 0;

  const deliver = (messageId: string) => {
    const entry = unacked.get(messageId);
    if (!entry) return;
    if (live && live.readyState === live.OPEN) live.send(entry.frame);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => deliver(messageId), redeliverAfterMs);
  };

  const authorized = (req: IncomingMessage) =>
    tokens.has(String(req.headers['x-acs-dingtalk-access-token'] ?? ''));

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ) {
    const method = req.method ?? 'GET';
    const raw = await readRequest(req);
    const body = (() => {
      try {
        return raw.length > 0 && !String(req.headers['content-type']).startsWith('multipart/')
          ? (JSON.parse(raw.toString('utf8')) as Rec)
          : {};
      } catch {
        return null;
      }
    })();
    if (body === null)
      return answerJson(res, 400, { code: 'InvalidParameter', message: 'malformed JSON' });
    if (method === 'POST' && path === '/v1.0/gateway/connections/open') {
      if (body.clientId !== APP.clientId || body.clientSecret !== APP.clientSecret)
        return answerJson(res, 401, {
          code: 'InvalidAuthentication',
          message: 'clientId or clientSecret is wrong',
        });
      const ticket = randomBytes(12).toString('hex');
      tickets.add(ticket);
      openings.push((body.subscriptions as FakeDingTalk['openings'][number]) ?? []);
      const { port } = server.address() as AddressInfo;
      return answerJson(res, 200, { endpoint: `ws://127.0.0.1:${port}/connect`, ticket });
    }
    if (method === 'POST' && path === '/v1.0/oauth2/accessToken') {
      if (body.appKey !== APP.clientId || body.appSecret !== APP.clientSecret)
        return answerJson(res, 400, {
          code: 'invalidClientIdOrSecret',
          message: '无效的clientId或者clientSecret',
        });
      const token = `fake-token-${randomBytes(8).toString('hex')}`;
      tokens.add(token);
      return answerJson(res, 200, { accessToken: token, expireIn: 7200 });
    }
    if (method === 'POST' && path === '/media/upload') {
      if (!tokens.has(query.get('access_token') ?? ''))
        return answerJson(res, 200, { errcode: 40014, errmsg: '不合法的access_token' });
      const form = await parseMultipart(raw, String(req.headers['content-type']));
      const file = form.files.find((f) => f.field === 'media');
      if (!file) return answerJson(res, 200, { errcode: 40004, errmsg: 'no media' });
      const mediaId = `@lAD${randomBytes(6).toString('hex')}`;
      uploads.push({ mediaId, name: file.name, content: file.text });
      return answerJson(res, 200, {
        errcode: 0,
        errmsg: 'ok',
        type: 'file',
        media_id: mediaId,
        created_at: Date.now(),
      });
    }
    if (method === 'GET' && path.startsWith('/files/')) {
      const file = files.get(decodeURIComponent(path.slice('/files/'.length)));
      if (!file) return answerJson(res, 404, { code: 'notFound', message: 'no such file' });
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.data.byteLength,
      });
      res.end(file.data);
      return;
    }
    if (!path.startsWith('/v1.0/robot/'))
      return answerJson(res, 404, { code: 'notFound', message: path });
    if (!authorized(req))
      return answerJson(res, 401, {
        code: 'InvalidAuthentication',
        message: '不合法的access_token',
      });
    if (path === '/v1.0/robot/messageFiles/download') {
      const code = String(body.downloadCode ?? '');
      if (!files.has(code))
        return answerJson(res, 400, {
          code: 'invalidParameter',
          message: 'downloadCode is invalid',
        });
      const { port } = server.address() as AddressInfo;
      return answerJson(res, 200, {
        downloadUrl: `http://127.0.0.1:${port}/files/${encodeURIComponent(code)}`,
      });
    }
    const group = path === '/v1.0/robot/groupMessages/send';
    const single = path === '/v1.0/robot/oToMessages/batchSend';
    if (!group && !single) return answerJson(res, 404, { code: 'notFound', message: path });
    if (rateLimited > 0) {
      rateLimited -= 1;
      return answerJson(res, 403, {
        code: 'Forbidden.AccessDenied.QpsLimitForApi',
        message: 'Qps limit for api exceeded',
      });
    }
    if (body.robotCode !== APP.clientId)
      return answerJson(res, 400, {
        code: 'invalidParameter.robotCode',
        message: 'robotCode is wrong',
      });
    let msgParam: Rec;
    try {
      msgParam = JSON.parse(String(body.msgParam)) as Rec;
    } catch {
      return answerJson(res, 400, {
        code: 'invalidParameter.msgParam',
        message: 'msgParam is not JSON',
      });
    }
    if (Buffer.byteLength(String(body.msgParam)) > MAX_MESSAGE_BYTES)
      return answerJson(res, 400, {
        code: 'invalidParameter.msgParam.length',
        message: 'message too long',
      });
    const processQueryKey = `pqk${(++sequence).toString().padStart(6, '0')}`;
    sent.push({
      to: group
        ? { kind: 'group', conversationId: String(body.openConversationId) }
        : { kind: 'user', staffIds: (body.userIds as string[]) ?? [] },
      msgKey: String(body.msgKey),
      msgParam,
      processQueryKey,
    });
    return answerJson(
      res,
      200,
      group
        ? { processQueryKey }
        : { processQueryKey, invalidStaffIdList: [], flowControlledStaffIdList: [] },
    );
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({ method: req.method ?? 'GET', path: url.pathname });
    route(req, res, url.pathname, url.searchParams).catch((error: Error) =>
      answerJson(res, 500, { code: 'internal', message: error.message }),
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/connect' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      live?.close(1000, 'replaced');
      live = ws;
      ws.on('message', (data) => {
        let frame: Rec;
        try {
          frame = JSON.parse(String(data)) as Rec;
        } catch {
          return;
        }
        const messageId = String((frame.headers as Rec | undefined)?.messageId ?? '');
        const ping = pings.get(messageId);
        if (ping) {
          pings.delete(messageId);
          ping(frame);
          return;
        }
        const entry = unacked.get(messageId);
        if (entry && frame.code === 200) {
          if (entry.timer) clearTimeout(entry.timer);
          unacked.delete(messageId);
          acks.push(messageId);
        }
      });
      ws.on('close', () => {
        if (live === ws) live = null;
      });
      // Pushes still unacknowledged go to the new connection.
      for (const messageId of unacked.keys()) deliver(messageId);
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const frameOf = (type: string, topic: string, messageId: string, data: string) =>
    JSON.stringify({
      specVersion: '1.0',
      type,
      headers: {
        appId: 'fake-app-id',
        connectionId: 'fake-connection',
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic,
      },
      data,
    });

  return {
    apiBase: `http://127.0.0.1:${port}`,
    sent,
    uploads,
    requests,
    openings,
    acks,
    get connected() {
      return live !== null && live.readyState === live.OPEN;
    },
    waitForConnection() {
      if (live !== null) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    push(data, pushOptions = {}) {
      const messageId = `push-${randomBytes(6).toString('hex')}`;
      const frame = frameOf(
        'CALLBACK',
        ROBOT_TOPIC,
        messageId,
        pushOptions.rawData ?? JSON.stringify(data),
      );
      unacked.set(messageId, { frame, timer: null });
      deliver(messageId);
      return messageId;
    },
    pending: () => unacked.size,
    ping() {
      const messageId = `ping-${randomBytes(6).toString('hex')}`;
      return new Promise((resolve) => {
        pings.set(messageId, resolve);
        live?.send(frameOf('SYSTEM', 'ping', messageId, JSON.stringify({ opaque: messageId })));
      });
    },
    drop() {
      live?.terminate();
      live = null;
    },
    rateLimitNext(count) {
      rateLimited += count;
    },
    addFile(downloadCode, data, contentType) {
      files.set(downloadCode, { data, contentType });
    },
    async close() {
      for (const entry of unacked.values()) if (entry.timer) clearTimeout(entry.timer);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
