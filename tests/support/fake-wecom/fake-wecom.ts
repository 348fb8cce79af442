/**
 * A fake WeCom for tests, from WeCom's server API and callback documentation: `gettoken`,
 * `message/send` (text over 2048 bytes and Markdown over 4096 refused with 45002),
 * `appchat/send`, `media/upload` and `media/get`, `message/update_template_card`; and a
 * sender of callbacks encrypted and signed as WeCom does (`@wecom/crypto`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt, getSignature } from '@wecom/crypto';
import { answerJson, readRequest } from '../fake-http.ts';
import { parseMultipart } from '../multipart.ts';
import { CALLBACK, CORP } from './wecom-payloads.ts';

type Rec = Record<string, unknown>;

export interface SentWeComMessage {
  to: { kind: 'user'; userId: string } | { kind: 'chat'; chatId: string };
  msgtype: string;
  body: Rec;
  msgid: string;
}

export interface FakeWeCom {
  apiBase: string;
  sent: SentWeComMessage[];
  cardUpdates: Rec[];
  uploads: Array<{ mediaId: string; name: string; content: string }>;
  rateLimitNext(count: number): void;
  addMedia(mediaId: string, data: Uint8Array, contentType: string): void;
  /** Posts a decrypted message to a callback URL, encrypted and signed (or wrongly signed). */
  deliver(
    url: string,
    xml: string,
    options?: { token?: string; corpId?: string },
  ): Promise<{ status: number; body: string }>;
  /** The URL check WeCom makes when the callback is saved; the answer. */
  verify(
    url: string,
    options?: { token?: string },
  ): Promise<{ status: number; body: string; echo: string }>;
  close(): Promise<void>;
}

function signedQuery(cipher: string, token: string): URLSearchParams {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  return new URLSearchParams({
    msg_signature: getSignature(token, timestamp, nonce, cipher),
    timestamp,
    nonce,
  });
}

export async function startFakeWeCom(): Promise<FakeWeCom> {
  const sent: SentWeComMessage[] = [];
  const cardUpdates: Rec[] = [];
  const uploads: FakeWeCom['uploads'] = [];
  const tokens = new Set<string>();
  const media = new Map<string, { data: Uint8Array; contentType: string }>();
  let rateLimited = 0;
  let sequence = 0;

  async function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname;
    const raw = await readRequest(req);
    if (path === '/cgi-bin/gettoken') {
      if (
        url.searchParams.get('corpid') !== CORP.corpId ||
        url.searchParams.get('corpsecret') !== CORP.secret
      )
        return answerJson(res, 200, { errcode: 40001, errmsg: 'invalid credential' });
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return answerJson(res, 200, {
        errcode: 0,
        errmsg: 'ok',
        access_token: token,
        expires_in: 7200,
      });
    }
    if (!tokens.has(url.searchParams.get('access_token') ?? ''))
      return answerJson(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
    if (path === '/cgi-bin/media/get') {
      const found = media.get(url.searchParams.get('media_id') ?? '');
      if (!found) return answerJson(res, 200, { errcode: 40007, errmsg: 'invalid media_id' });
      res.writeHead(200, { 'content-type': found.contentType });
      res.end(found.data);
      return;
    }
    if (path === '/cgi-bin/media/upload') {
      const form = await parseMultipart(raw, String(req.headers['content-type']));
      const file = form.files.find((f) => f.field === 'media');
      if (!file) return answerJson(res, 200, { errcode: 41005, errmsg: 'media data missing' });
      const mediaId = `3${randomBytes(12).toString('hex')}`;
      uploads.push({ mediaId, name: file.name, content: file.text });
      return answerJson(res, 200, {
        errcode: 0,
        errmsg: 'ok',
        type: 'file',
        media_id: mediaId,
        created_at: String(Date.now()),
      });
    }
    let body: Rec;
    try {
      body = JSON.parse(raw.toString('utf8')) as Rec;
    } catch {
      return answerJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
    }
    if (path === '/cgi-bin/message/update_template_card') {
      cardUpdates.push(body);
      return answerJson(res, 200, { errcode: 0, errmsg: 'ok' });
    }
    const toUser = path === '/cgi-bin/message/send';
    if (!toUser && path !== '/cgi-bin/appchat/send')
      return answerJson(res, 200, { errcode: 404, errmsg: `no route ${path}` });
    if (rateLimited > 0) {
      rateLimited -= 1;
      return answerJson(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' });
    }
    if (toUser && String(body.agentid) !== CORP.agentId)
      return answerJson(res, 200, { errcode: 40056, errmsg: 'invalid agentid' });
    const msgtype = String(body.msgtype);
    const content = (body[msgtype] as Rec | undefined)?.content;
    const limit = msgtype === 'markdown' ? 4096 : 2048;
    if (typeof content === 'string' && Buffer.byteLength(content) > limit)
      return answerJson(res, 200, { errcode: 45002, errmsg: 'content size out of limit' });
    const msgid = `msgid${(++sequence).toString().padStart(8, '0')}`;
    sent.push({
      to: toUser
        ? { kind: 'user', userId: String(body.touser) }
        : { kind: 'chat', chatId: String(body.chatid) },
      msgtype,
      body,
      msgid,
    });
    return answerJson(
      res,
      200,
      toUser ? { errcode: 0, errmsg: 'ok', invaliduser: '', msgid } : { errcode: 0, errmsg: 'ok' },
    );
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    route(req, res, url).catch((error: Error) =>
      answerJson(res, 200, { errcode: -1, errmsg: error.message }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiBase: `http://127.0.0.1:${port}`,
    sent,
    cardUpdates,
    uploads,
    rateLimitNext(count) {
      rateLimited += count;
    },
    addMedia(mediaId, data, contentType) {
      media.set(mediaId, { data, contentType });
    },
    async deliver(url, xml, options = {}) {
      const cipher = encrypt(CALLBACK.encodingAESKey, xml, options.corpId ?? CORP.corpId);
      const query = signedQuery(cipher, options.token ?? CALLBACK.token);
      const body = `<xml><ToUserName><![CDATA[${CORP.corpId}]]></ToUserName><Encrypt><![CDATA[${cipher}]]></Encrypt><AgentID><![CDATA[${CORP.agentId}]]></AgentID></xml>`;
      const response = await fetch(`${url}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
      });
      return { status: response.status, body: await response.text() };
    },
    async verify(url, options = {}) {
      const echo = String(Math.floor(Math.random() * 1e18));
      const cipher = encrypt(CALLBACK.encodingAESKey, echo, CORP.corpId);
      const query = signedQuery(cipher, options.token ?? CALLBACK.token);
      query.set('echostr', cipher);
      const response = await fetch(`${url}?${query}`);
      return { status: response.status, body: await response.text(), echo };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
