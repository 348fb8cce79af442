import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqualText } from '@gridbot/core';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import type { Logger } from 'pino';
import { readBody, replyText, replyTooLarge } from '../http-body.ts';

type Rec = Record<string, unknown>;
const MAX_BODY_BYTES = 256 * 1024;
/** Values stay strings: a `MsgId` is a 64-bit number. */
const xml = new XMLParser({ parseTagValue: false, processEntities: true, ignoreDeclaration: true });

export interface WeComCallbackOptions {
  /** The callback's Token and EncodingAESKey (the app's "receive messages" settings). */
  token: string;
  encodingAESKey: string;
  /** The receiving id every decrypted message must name: the corp id. */
  corpId: string;
  logger: Logger;
  /** Handles one decrypted message (its XML as an object); resolves once it is kept. */
  receive(message: Rec): Promise<void>;
}

/** Parses an XML document's root `<xml>` element, or null. */
export function parseXml(text: string): Rec | null {
  try {
    const root = xml.parse(text) as Rec;
    return typeof root.xml === 'object' && root.xml !== null ? (root.xml as Rec) : null;
  } catch {
    return null;
  }
}

/**
 * WeCom's callback, as its message encryption scheme documents it. GET is the URL check:
 * `msg_signature` must be sha1 of the sorted token, timestamp, nonce and `echostr`, whose
 * decryption (AES-256-CBC under the EncodingAESKey, with `@wecom/crypto`) is answered. A
 * POST carries `<Encrypt>`: its signature is checked the same way (401 and nothing read
 * otherwise), it is decrypted, and it must name the corp as its receiver. The message is
 * answered `success` once it was kept, well within WeCom's 5 s (the agent is never
 * awaited), or 500 so WeCom delivers it again (it retries three times; a `MsgId` is stored
 * once).
 */
export function weComCallbackHandler(options: WeComCallbackOptions) {
  const signed = (timestamp: string, nonce: string, cipher: string, signature: string) =>
    signature !== '' &&
    timingSafeEqualText(getSignature(options.token, timestamp, nonce, cipher), signature);
  const open = (cipher: string): string | null => {
    try {
      const { message, id } = decrypt(options.encodingAESKey, cipher);
      return id === options.corpId ? message : null;
    } catch {
      return null;
    }
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const query = new URL(req.url ?? '/', 'http://callback').searchParams;
    const timestamp = query.get('timestamp') ?? '';
    const nonce = query.get('nonce') ?? '';
    const signature = query.get('msg_signature') ?? '';
    if (req.method === 'GET') {
      const echo = query.get('echostr') ?? '';
      const plain = signed(timestamp, nonce, echo, signature) ? open(echo) : null;
      if (plain === null) {
        options.logger.warn(
          'refused a WeCom URL check whose signature or encryption does not match the app’s',
        );
        return replyText(res, 401, 'bad signature');
      }
      return replyText(res, 200, plain);
    }
    if (req.method !== 'POST') return replyText(res, 405);
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) return replyTooLarge(req, res);
    const outer = parseXml(raw.toString('utf8'));
    const cipher = typeof outer?.Encrypt === 'string' ? outer.Encrypt : '';
    if (!signed(timestamp, nonce, cipher, signature)) {
      options.logger.warn('refused a WeCom callback whose signature does not match the token');
      return replyText(res, 401, 'bad signature');
    }
    const plain = open(cipher);
    const message = plain === null ? null : parseXml(plain);
    if (message === null) {
      options.logger.warn(
        'refused a WeCom callback that does not decrypt to a message for this corp',
      );
      return replyText(res, 400, 'bad message');
    }
    try {
      await options.receive(message);
      replyText(res, 200, 'success');
    } catch (error) {
      options.logger.error(
        { err: error },
        'could not keep a WeCom message; answering 500 so WeCom delivers it again',
      );
      replyText(res, 500, 'try again');
    }
  };
}
