/** Bot API methods telegram-test-api lacks, added to its Express app for the fake. */
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import {
  BOT_TOKEN,
  type ChatAction,
  type ExpressApp,
  moveLastRouteFirst,
} from './telegram-fake.ts';

/**
 * `getFile` and `<root>/file/bot<token>/<file_path>`, which telegram-test-api lacks: the
 * files tests put in `files` (a photo a person "sent"), as the Bot API serves them.
 */
export function serveFiles(
  server: TelegramServer,
  files: Map<string, { data: Buffer; path: string }>,
  downloads: string[],
): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/getFile', (req, res) => {
    const id = String(req.body?.file_id ?? '');
    const file = files.get(id);
    res.writeHead(file ? 200 : 400, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        file
          ? {
              ok: true,
              result: {
                file_id: id,
                file_unique_id: `u-${id}`,
                file_size: file.data.length,
                file_path: file.path,
              },
            }
          : { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' },
      ),
    );
  });
  moveLastRouteFirst(app);
  app.get('/file/bot:token/*', (req, res) => {
    const path = (req.params as Record<string, string>)[0] ?? '';
    const found = [...files.entries()].find(([, file]) => file.path === path);
    if (req.params.token !== BOT_TOKEN || !found) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    downloads.push(found[0]);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': found[1].data.length,
    });
    res.end(found[1].data);
  });
  moveLastRouteFirst(app);
}

/** `sendChatAction`, which telegram-test-api lacks: recorded with the time it came. */
export function recordChatActions(server: TelegramServer, actions: ChatAction[]): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/sendChatAction', (req, res) => {
    const body = req.body ?? {};
    res.writeHead(body.chat_id && body.action ? 200 : 400, { 'content-type': 'application/json' });
    if (!body.chat_id || !body.action) {
      res.end(
        JSON.stringify({
          ok: false,
          error_code: 400,
          description: 'Bad Request: chat_id and action are required',
        }),
      );
      return;
    }
    actions.push({ chatId: String(body.chat_id), action: String(body.action), at: Date.now() });
    res.end(JSON.stringify({ ok: true, result: true }));
  });
  moveLastRouteFirst(app);
}

/** A `sendMessageDraft` the bot made (a reply previewed while it is written). */
export interface MessageDraft {
  chatId: string;
  draftId: number;
  text: string;
  at: number;
}

/** `sendMessageDraft` (Bot API 9.5), which telegram-test-api lacks: private chats only, as the API says. */
export function recordDrafts(server: TelegramServer, drafts: MessageDraft[]): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/sendMessageDraft', (req, res) => {
    const body = req.body ?? {};
    const chatId = Number(body.chat_id);
    const draftId = Number(body.draft_id);
    const problem =
      !Number.isSafeInteger(chatId) || chatId <= 0
        ? 'Bad Request: drafts can be sent to private chats only'
        : !Number.isSafeInteger(draftId) || draftId === 0
          ? 'Bad Request: draft_id must be non-zero'
          : typeof body.text !== 'string' || body.text.length > 4096
            ? 'Bad Request: text must be 0-4096 characters'
            : null;
    res.writeHead(problem ? 400 : 200, { 'content-type': 'application/json' });
    if (problem) {
      res.end(JSON.stringify({ ok: false, error_code: 400, description: problem }));
      return;
    }
    drafts.push({ chatId: String(chatId), draftId, text: String(body.text), at: Date.now() });
    res.end(JSON.stringify({ ok: true, result: true }));
  });
  moveLastRouteFirst(app);
}

/** An `editMessageText` the bot made, recorded before telegram-test-api applies it. */
export interface MessageEdit {
  chatId: string;
  messageId: number;
  text: string;
  at: number;
}

/** Records every `editMessageText` and passes it on to telegram-test-api's own route. */
export function recordEdits(server: TelegramServer, edits: MessageEdit[]): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/editMessageText', (req, _res, next) => {
    const body = req.body ?? {};
    edits.push({
      chatId: String(body.chat_id),
      messageId: Number(body.message_id),
      text: String(body.text ?? ''),
      at: Date.now(),
    });
    next?.();
  });
  moveLastRouteFirst(app);
}

/**
 * While `refusing()` says so, answers a call with any token but `known` as Telegram answers
 * a wrong token: 401 Unauthorized (telegram-test-api itself takes any token).
 */
export function refuseUnknownTokens(
  server: TelegramServer,
  known: string,
  refusing: () => boolean,
): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/:method', (req, res, next) => {
    if (!refusing() || req.params.token === known) return next?.();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
  });
  moveLastRouteFirst(app);
}
