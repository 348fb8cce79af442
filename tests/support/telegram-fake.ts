import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { freePort } from './free-port.ts';

export const BOT_TOKEN = '123456:TEST-token_for-gridbot';

export interface ChatSpec {
  chatId: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
  userId: number;
  firstName: string;
}

/** A sent bot message as the fake recorded it. */
export interface BotMessage {
  chatId: string;
  text: string;
  replyTo: number | null;
}

/** telegram-test-api on a free port, with helpers to talk as users and read the bot's replies. */
export class TelegramFake {
  readonly server: TelegramServer;
  readonly apiRoot: string;

  private constructor(server: TelegramServer) {
    this.server = server;
    this.apiRoot = server.config.apiURL;
  }

  static async start(): Promise<TelegramFake> {
    const port = await freePort();
    const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
    await server.start();
    return new TelegramFake(server);
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
          text: string;
          reply_parameters?: { message_id: number } | string;
        };
        const reply =
          typeof params.reply_parameters === 'string'
            ? JSON.parse(params.reply_parameters)
            : params.reply_parameters;
        return {
          chatId: String(m.message.chat_id),
          text: params.text,
          replyTo: reply?.message_id ?? null,
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
