import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqualText } from '@gridbot/core';
import type { Logger } from 'pino';
import { readBody, replyText, replyTooLarge } from '../http-body.ts';

export interface WhatsAppWebhookOptions {
  /** The app secret (App settings → Basic): every POST must be signed with it. */
  appSecret: string;
  /** The verify token entered with the callback URL in the app's WhatsApp configuration. */
  verifyToken: string;
  /** Whether the adapter accepts webhooks yet (503 otherwise, so Meta retries). */
  accepting: () => boolean;
  /** Resolves after every event of the body was committed; throws to make Meta redeliver it. */
  handleBody: (body: unknown) => Promise<void>;
  logger: Logger;
  /** Largest body accepted; webhooks are a few KiB. Default 3 MiB. */
  maxBodyBytes?: number;
}

const SIGNATURE_HEADER = 'x-hub-signature-256';

/** `sha256=<hex>` of the body under the app secret, as Meta signs a webhook. */
export function signWebhookBody(body: Uint8Array | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * The WhatsApp webhook endpoint. `GET` is Meta's verification request: the
 * `hub.challenge` is echoed when `hub.mode` is `subscribe` and `hub.verify_token` matches,
 * 403 otherwise. `POST` carries events: a missing or wrong `X-Hub-Signature-256` (HMAC-SHA256
 * of the raw body under the app secret) gets 401 and is never read further; malformed JSON
 * gets 400; the answer is 200 only after every event in it was committed, and 500 when
 * ingress failed, so Meta delivers it again (ingress stores a message once).
 */
export function createWhatsAppWebhook(
  options: WhatsAppWebhookOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger } = options;
  const limit = options.maxBodyBytes ?? 3 * 1024 * 1024;
  const verify = (req: IncomingMessage, res: ServerResponse): void => {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const token = query.get('hub.verify_token') ?? '';
    if (query.get('hub.mode') === 'subscribe' && timingSafeEqualText(token, options.verifyToken)) {
      logger.info('whatsapp webhook verified by Meta');
      replyText(res, 200, query.get('hub.challenge') ?? '');
      return;
    }
    logger.warn(
      { remote: req.socket.remoteAddress },
      'whatsapp webhook: verification with a wrong verify token',
    );
    replyText(res, 403, 'wrong verify token');
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET') return verify(req, res);
    if (req.method !== 'POST') {
      req.resume();
      return replyText(res, 405, 'GET or POST only');
    }
    const signature = req.headers[SIGNATURE_HEADER];
    if (typeof signature !== 'string' || !signature.startsWith('sha256=')) {
      req.resume();
      logger.warn(
        { remote: req.socket.remoteAddress },
        'whatsapp webhook: unsigned request refused',
      );
      return replyText(res, 401, 'missing X-Hub-Signature-256');
    }
    const body = await readBody(req, limit);
    if (body === null) return replyTooLarge(req, res);
    if (!timingSafeEqualText(signature, signWebhookBody(body, options.appSecret))) {
      logger.warn(
        { remote: req.socket.remoteAddress },
        'whatsapp webhook: wrong signature, request refused',
      );
      return replyText(res, 401, 'wrong signature');
    }
    if (!options.accepting()) return replyText(res, 503, 'not accepting webhooks yet');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      logger.warn({ err: error }, 'whatsapp webhook: malformed JSON body');
      return replyText(res, 400, 'malformed JSON');
    }
    try {
      await options.handleBody(parsed);
    } catch (error) {
      logger.error({ err: error }, 'whatsapp webhook: ingress failed; Meta will redeliver');
      return replyText(res, 500, 'ingress failed');
    }
    replyText(res, 200, 'EVENT_RECEIVED');
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'whatsapp webhook: unexpected failure');
      replyText(res, 500);
    });
  };
}
