import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { readBody, replyText, replyTooLarge } from '../http-body.ts';

type Rec = Record<string, unknown>;
const MAX_BODY_BYTES = 1024 * 1024;

export interface FeishuWebhookOptions {
  verificationToken: string;
  encryptKey: string;
  logger: Logger;
  /** Handles one event (header and event fields side by side); resolves once it is kept. */
  receive(event: Rec): Promise<void>;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Feishu's HTTP event callback. Each request's `X-Lark-Signature` must equal
 * sha256(timestamp + nonce + encrypt key + body), else 401 and nothing is read; the body
 * (`{"encrypt": …}`, AES-256-CBC under the encrypt key) is decrypted; the URL check
 * (`url_verification`) is answered with its challenge, and an event whose verification
 * token is not the app's gets 401. An event is answered 200 only once it was kept, 500
 * otherwise, so Feishu delivers it again (ingress stores a message once).
 */
export function feishuWebhookHandler(options: FeishuWebhookOptions) {
  const cipher = new lark.AESCipher(options.encryptKey);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return replyText(res, 405);
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) return replyTooLarge(req, res);
    const body = raw.toString('utf8');
    const timestamp = String(req.headers['x-lark-request-timestamp'] ?? '');
    const nonce = String(req.headers['x-lark-request-nonce'] ?? '');
    const signature = String(req.headers['x-lark-signature'] ?? '');
    const expected = createHash('sha256')
      .update(timestamp + nonce + options.encryptKey + body)
      .digest('hex');
    if (!signature || !sameText(signature, expected)) {
      options.logger.warn(
        'refused a Feishu callback whose signature does not match the encrypt key',
      );
      return replyText(res, 401, 'bad signature');
    }
    let event: Rec;
    try {
      const outer = JSON.parse(body) as Rec;
      event =
        typeof outer.encrypt === 'string'
          ? (JSON.parse(cipher.decrypt(outer.encrypt)) as Rec)
          : outer;
    } catch {
      options.logger.warn('refused a Feishu callback that is not encrypted JSON');
      return replyText(res, 400, 'malformed body');
    }
    const header = (event.header ?? {}) as Rec;
    const token = String(event.type === 'url_verification' ? event.token : (header.token ?? ''));
    if (!sameText(token, options.verificationToken)) {
      options.logger.warn('refused a Feishu callback whose verification token is not the app’s');
      return replyText(res, 401, 'bad verification token');
    }
    if (event.type === 'url_verification') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ challenge: event.challenge }));
      return;
    }
    try {
      await options.receive({ schema: event.schema, ...header, ...((event.event ?? {}) as Rec) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    } catch (error) {
      options.logger.error(
        { err: error, eventId: header.event_id },
        'could not keep a Feishu event; answering 500 so Feishu delivers it again',
      );
      replyText(res, 500, 'try again');
    }
  };
}
