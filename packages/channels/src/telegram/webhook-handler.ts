import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqualText } from '@gridbot/core';
import type { Logger } from 'pino';
import { readBody, replyText as reply, replyTooLarge } from '../http-body.ts';

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** Expected `X-Telegram-Bot-Api-Secret-Token`; a request without it is refused. */
  secret: string;
  /** Whether the adapter is started and accepts updates (503 otherwise, so Telegram retries). */
  accepting: () => boolean;
  /** Resolves after the update was committed; throws to make Telegram redeliver it. */
  handleUpdate: (update: unknown) => Promise<void>;
  logger: Logger;
  /** Largest body accepted; Telegram updates are a few KiB. */
  maxBodyBytes?: number;
}

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const DEFAULT_MAX_BODY = 1024 * 1024;

function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  return typeof header === 'string' && timingSafeEqualText(header, secret);
}

/**
 * A node:http handler for Telegram webhook deliveries. It answers 200 only after the
 * update was handled (committed), 500 if handling threw (Telegram redelivers), 401 on a
 * wrong secret token, 400 on malformed JSON, 413 on an oversized body, 405 on non-POST.
 *
 * Hand-written rather than grammY's `webhookCallback`, which does answer 200 only after
 * `bot.handleUpdate` resolved: its node `http` adapter buffers the body without a limit,
 * and on malformed JSON or a failed handler it only rejects, writing no response (grammy
 * 1.46 `convenience/webhook.js`, `frameworks.js`), so the 400/413/500 answers would stay
 * here anyway, and it needs a grammY `Bot` as the entry rather than the adapter's
 * `handleUpdate`. What remains, the secret check, is `secretMatches`.
 */
export function createWebhookHandler(
  options: WebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { secret, logger } = options;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      req.resume();
      return reply(res, 405, 'POST only');
    }
    if (!secretMatches(req.headers[SECRET_HEADER], secret)) {
      req.resume();
      logger.warn({ remote: req.socket.remoteAddress }, 'telegram webhook: wrong secret token');
      return reply(res, 401, 'wrong secret token');
    }
    if (!options.accepting()) {
      req.resume();
      return reply(res, 503, 'not accepting updates');
    }
    const body = await readBody(req, limit);
    if (body === null) return replyTooLarge(req, res);
    let update: unknown;
    try {
      update = JSON.parse(body.toString('utf8'));
    } catch (error) {
      logger.warn({ err: error }, 'telegram webhook: malformed JSON body');
      return reply(res, 400, 'malformed JSON');
    }
    try {
      await options.handleUpdate(update);
    } catch (error) {
      logger.error({ err: error }, 'telegram webhook: ingress failed; Telegram will redeliver');
      return reply(res, 500, 'ingress failed');
    }
    reply(res, 200);
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'telegram webhook: unexpected failure');
      reply(res, 500);
    });
  };
}
