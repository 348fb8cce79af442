import type { IncomingMessage, ServerResponse } from 'node:http';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { freePort } from './free-port.ts';
import { isMultipart, readMultipart } from './multipart.ts';
import {
  type MessageDraft,
  type MessageEdit,
  recordChatActions,
  recordDrafts,
  recordEdits,
  refuseUnknownTokens,
  serveFiles,
} from './telegram-fake-routes.ts';

export const BOT_TOKEN = '123456:TEST-token_for-gridbot';

export interface ChatSpec {
  chatId: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
  userId: number;
  firstName: string;
}

/** A file the bot sent with `sendDocument`, as the fake received it. */
export interface BotDocument {
  fileName: string;
  mimeType: string;
  /** The file's bytes as UTF-8 text. */
  content: string;
  bytes: number;
}

/** A sent bot message as the fake recorded it. */
export interface BotMessage {
  /** Its message_id, as the bot was told. */
  messageId: number;
  chatId: string;
  /** The text, or a document's caption ('' without one). */
  text: string;
  replyTo: number | null;
  document?: BotDocument;
  /** Its inline keyboard's buttons, as they are now (an edit may have removed them). */
  buttons: { text: string; data: string }[];
}

/** A `sendChatAction` the bot made (its typing state). */
export interface ChatAction {
  chatId: string;
  action: string;
  at: number;
}

/** An `answerCallbackQuery` the bot made. */
export interface CallbackAnswer {
  callbackQueryId: string;
  text: string | null;
}

/** telegram-test-api on a free port, with helpers to talk as users and read the bot's replies. */
export class TelegramFake {
  readonly server: TelegramServer;
  readonly apiRoot: string;
  /** The bot's `answerCallbackQuery` calls, in order. */
  readonly callbackAnswers: CallbackAnswer[];
  /** The bot's `sendChatAction` calls, in order. */
  readonly chatActions: ChatAction[];
  /** Files people sent, by `file_id`: what `getFile` and the file URL serve. */
  readonly files: Map<string, { data: Buffer; path: string }>;
  /** Downloads of files by the bot, by `file_id`. */
  readonly downloads: string[];
  /** The bot's `sendMessageDraft` calls, in order. */
  readonly drafts: MessageDraft[] = [];
  /** The bot's `editMessageText` calls, in order. */
  readonly edits: MessageEdit[] = [];
  /** Answer calls with any token but BOT_TOKEN with 401, as Telegram does. Default false. */
  refuseOtherTokens = false;

  private constructor(
    server: TelegramServer,
    callbackAnswers: CallbackAnswer[],
    chatActions: ChatAction[],
    files: Map<string, { data: Buffer; path: string }>,
    downloads: string[],
  ) {
    this.server = server;
    this.callbackAnswers = callbackAnswers;
    this.chatActions = chatActions;
    this.files = files;
    this.downloads = downloads;
    this.apiRoot = server.config.apiURL;
  }

  static async start(): Promise<TelegramFake> {
    const port = await freePort();
    const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
    acceptDocuments(server);
    const answers: CallbackAnswer[] = [];
    recordCallbackAnswers(server, answers);
    const actions: ChatAction[] = [];
    recordChatActions(server, actions);
    const files = new Map<string, { data: Buffer; path: string }>();
    const downloads: string[] = [];
    serveFiles(server, files, downloads);
    const fake = new TelegramFake(server, answers, actions, files, downloads);
    recordDrafts(server, fake.drafts);
    recordEdits(server, fake.edits);
    refuseUnknownTokens(server, BOT_TOKEN, () => fake.refuseOtherTokens);
    await server.start();
    return fake;
  }

  /**
   * Presses an inline keyboard button of a bot message as the user of `chat`: a
   * `callback_query` update with the message and the button's `callback_data`, as Telegram
   * sends it. Returns the query id (see {@link callbackAnswer}).
   */
  async press(chat: ChatSpec, message: BotMessage, data: string): Promise<string> {
    const internals = this.server as unknown as {
      callbackId: number;
      addUserCallback(query: Record<string, unknown>): Promise<void>;
    };
    const id = String(internals.callbackId);
    await internals.addUserCallback({
      botToken: BOT_TOKEN,
      from: {
        id: chat.userId,
        is_bot: false,
        first_name: chat.firstName,
        username: chat.firstName.toLowerCase(),
      },
      message: {
        message_id: message.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: {
          id: chat.chatId,
          type: chat.type,
          ...(chat.type === 'private' ? { first_name: chat.firstName } : { title: chat.title }),
        },
        text: message.text,
      },
      data,
    });
    return id;
  }

  /** The bot's answer to a button press (its `answerCallbackQuery`), once made. */
  callbackAnswer(queryId: string): CallbackAnswer | undefined {
    return this.callbackAnswers.find((answer) => answer.callbackQueryId === queryId);
  }

  /** Sends a text message as a user into a chat; resolves when the fake stored it. */
  async say(chat: ChatSpec, text: string, extra: Record<string, unknown> = {}): Promise<void> {
    const client = this.server.getClient(BOT_TOKEN, {
      chatId: chat.chatId,
      type: chat.type,
      userId: chat.userId,
      firstName: chat.firstName,
      userName: chat.firstName.toLowerCase(),
      chatTitle: chat.title ?? chat.firstName,
    });
    await client.sendMessage(client.makeMessage(text, extra));
  }

  /** Redelivers every update already fetched, as Telegram does when the offset was not confirmed. */
  redeliverAll(): number {
    let count = 0;
    for (const update of this.server.storage.userMessages) {
      if (update.isRead) {
        update.isRead = false;
        count++;
      }
    }
    return count;
  }

  /** The bot's messages in a chat, in the order sent. */
  botMessages(chatId: number): BotMessage[] {
    return this.server.storage.botMessages
      .filter((m) => String(m.message.chat_id) === String(chatId))
      .sort((a, b) => a.messageId - b.messageId)
      .map((m) => {
        const params = m.message as {
          text?: string;
          caption?: string;
          document?: BotDocument;
          reply_parameters?: { message_id: number } | string;
          reply_markup?: {
            inline_keyboard?: { text: string; callback_data?: string }[][];
          };
        };
        const reply =
          typeof params.reply_parameters === 'string'
            ? JSON.parse(params.reply_parameters)
            : params.reply_parameters;
        const keyboard = params.reply_markup?.inline_keyboard ?? [];
        return {
          messageId: m.messageId,
          chatId: String(m.message.chat_id),
          text: params.text ?? params.caption ?? '',
          replyTo: reply?.message_id ?? null,
          ...(params.document && { document: params.document }),
          buttons: keyboard.flat().map((b) => ({ text: b.text, data: b.callback_data ?? '' })),
        };
      });
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}

/**
 * A reply with the times the agent adds to quoted messages removed: `[Alice, 10:02] hi`
 * becomes `[Alice] hi`, so tests can compare text without the clock.
 */
export function withoutTimes(text: string): string {
  return text.replace(/\[([^,\]\n]+), (?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}\]/g, '[$1]');
}

interface WebhookServerInternals {
  webhooks: Record<string, { url: string; secret_token?: string }>;
  updateId: number;
  addUserUpdate(update: { botToken: string }): Promise<void>;
}

/**
 * Makes telegram-test-api deliver webhook updates as Telegram does: with the
 * `X-Telegram-Bot-Api-Secret-Token` header carrying the `secret_token` given to
 * `setWebhook` (Bot API, setWebhook). The library POSTs without it, which a gateway that
 * checks its secret (every GridBot gateway) refuses.
 */
export function sendWebhookSecret(server: TelegramServer): TelegramServer {
  const internals = server as unknown as WebhookServerInternals;
  const deliver = internals.addUserUpdate.bind(server);
  const format = (TelegramServer as unknown as { formatUpdate(u: unknown): unknown }).formatUpdate;
  internals.addUserUpdate = async (update) => {
    const webhook = internals.webhooks[update.botToken];
    if (!webhook) return deliver(update);
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(webhook.secret_token && { 'x-telegram-bot-api-secret-token': webhook.secret_token }),
      },
      body: JSON.stringify(format(update)),
    });
    await response.arrayBuffer();
    if (response.status > 204) throw new Error(`Webhook invocation failed: ${response.status}`);
    internals.updateId++;
  };
  return server;
}

/**
 * Records the bot's `answerCallbackQuery` calls (telegram-test-api answers them and keeps
 * nothing): `callback_query_id` and the optional `text`, as the Bot API describes them.
 */
function recordCallbackAnswers(server: TelegramServer, answers: CallbackAnswer[]): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/answerCallbackQuery', (req, res) => {
    const body = req.body ?? {};
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const id = body.callback_query_id;
    if (typeof id !== 'string' && typeof id !== 'number')
      return answer(400, {
        ok: false,
        error_code: 400,
        description: 'Bad Request: callback_query_id is empty',
      });
    if (answers.some((a) => a.callbackQueryId === String(id)))
      return answer(400, {
        ok: false,
        error_code: 400,
        description:
          'Bad Request: query is too old and response timeout expired or query ID is invalid',
      });
    answers.push({
      callbackQueryId: String(id),
      text: typeof body.text === 'string' ? body.text : null,
    });
    answer(200, { ok: true, result: true });
  });
  moveLastRouteFirst(app);
}

/** Express 4's internals, as far as {@link acceptDocuments} needs them. */
export interface ExpressApp {
  post(
    path: string,
    handler: (req: ExpressRequest, res: ServerResponse, next?: () => void) => void,
  ): void;
  get(path: string, handler: (req: ExpressRequest, res: ServerResponse) => void): void;
  _router: { stack: { route?: unknown }[] };
}
type ExpressRequest = IncomingMessage & {
  params: Record<string, string>;
  body: Record<string, unknown>;
};

/**
 * Adds `sendDocument` to telegram-test-api, which answers it "not supported" (500). As the
 * Bot API describes it: `chat_id`, `document` (a file uploaded as multipart/form-data, or
 * `attach://<name>` naming the form field that holds it),
 * `caption`, `reply_parameters` (JSON-serialized in a form), `message_thread_id`; the
 * result is a Message with a `document` (file_id, file_name, mime_type, file_size). The
 * message is stored with the bot's other messages, its file's content with it.
 */
function acceptDocuments(server: TelegramServer): void {
  const app = (server as unknown as { webServer: ExpressApp }).webServer;
  app.post('/bot:token/sendDocument', (req, res) => {
    void (async () => {
      const form = isMultipart(req) ? await readMultipart(req) : null;
      const fields: Record<string, unknown> = form?.fields ?? req.body ?? {};
      // The file comes in the `document` field, or in one that it names as `attach://<field>`.
      const named = String(fields.document ?? '');
      const field = named.startsWith('attach://') ? named.slice(9) : 'document';
      const file = form?.files.find((f) => f.field === field);
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (!fields.chat_id || !file) {
        return answer(400, {
          ok: false,
          error_code: 400,
          description: 'Bad Request: there is no document in the request',
        });
      }
      const document: BotDocument = {
        fileName: file.name,
        mimeType: file.type,
        content: file.text,
        bytes: file.bytes,
      };
      const reply = fields.reply_parameters;
      const stored = server.addBotMessage(
        {
          chat_id: fields.chat_id,
          ...(typeof fields.caption === 'string' && { caption: fields.caption }),
          ...(reply !== undefined && {
            reply_parameters: typeof reply === 'string' ? JSON.parse(reply) : reply,
          }),
          document,
        } as never,
        req.params.token ?? '',
      ) as unknown as Record<string, unknown>;
      answer(200, {
        ok: true,
        result: {
          ...stored,
          document: {
            file_id: `doc-${String(stored.message_id)}`,
            file_unique_id: `doc-${String(stored.message_id)}`,
            file_name: document.fileName,
            mime_type: document.mimeType,
            file_size: document.bytes,
          },
        },
      });
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 500, description: String(error) }));
    });
  });
  moveLastRouteFirst(app);
}

/** Express matches in order: the route added last goes before the library's own (and its catch-all). */
export function moveLastRouteFirst(app: ExpressApp): void {
  const stack = app._router.stack;
  const layer = stack.pop()!;
  stack.splice(
    stack.findIndex((l) => l.route !== undefined),
    0,
    layer,
  );
}
