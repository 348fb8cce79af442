/**
 * The Telegram side of the fault-injection suite. Updates are POSTed to the gateway's
 * webhook as Telegram does it: each one again and again until the gateway answers 200
 * (Telegram redelivers any update not acknowledged), one chat's updates in order. A
 * minimal Bot API records every `sendMessage` with its arrival time, applies
 * `editMessageText` (streamed replies' placeholders), and can drop its connections for a
 * while (the platform going away under egress).
 */
import { type FakeBotApi, startFakeBotApi } from '../support/fake-bot-api.ts';
import { sleep } from '../support/wait-for.ts';

export const WEBHOOK_SECRET = 'chaos-webhook-secret';
export const WEBHOOK_PATH = '/telegram/webhook';

/** One message the bot sent, as the platform received it, with its text after any edits. */
export interface SentReply {
  chatId: number;
  messageId: number;
  text: string;
  /** When it was sent (its place in the chat), not when it was last edited. */
  at: number;
  edits: number;
}

/** A streamed reply's placeholder ends its text so; a reply never does. */
export const isDraft = (reply: SentReply): boolean => reply.text.endsWith(' …');

function messageResult(reply: SentReply) {
  return {
    message_id: reply.messageId,
    date: Math.floor(reply.at / 1000),
    chat: { id: reply.chatId, type: 'group' },
    text: reply.text,
  };
}

export class ChaosPlatform {
  readonly api: FakeBotApi;
  readonly replies: SentReply[] = [];
  /** While true, `sendMessage` connections are dropped without an answer. */
  dropping = false;
  /** Deliveries refused (connection refused, 5xx) before the gateway took them. */
  redeliveries = 0;
  #updateId = 0;
  #messageId = 0;
  #webhookUrl = '';
  #closed = false;

  private constructor(api: FakeBotApi) {
    this.api = api;
  }

  static async start(): Promise<ChaosPlatform> {
    let platform: ChaosPlatform | null = null;
    const api = await startFakeBotApi({
      sendMessage: (body) => {
        if (platform!.dropping) return 'drop';
        const reply = {
          chatId: Number(body.chat_id),
          messageId: 1_000_000 + platform!.replies.length + 1,
          text: String(body.text),
          at: Date.now(),
          edits: 0,
        };
        platform!.replies.push(reply);
        return { json: { ok: true, result: messageResult(reply) } };
      },
      // A streamed reply's placeholder, edited with drafts and at last into the reply.
      editMessageText: (body) => {
        if (platform!.dropping) return 'drop';
        const reply = platform!.replies.find(
          (r) => r.messageId === Number(body.message_id) && r.chatId === Number(body.chat_id),
        );
        if (!reply) {
          return {
            status: 400,
            json: {
              ok: false,
              error_code: 400,
              description: 'Bad Request: message to edit not found',
            },
          };
        }
        if (reply.text === String(body.text)) {
          return {
            status: 400,
            json: {
              ok: false,
              error_code: 400,
              description:
                'Bad Request: message is not modified: specified new message content and reply markup are exactly the same',
            },
          };
        }
        reply.text = String(body.text);
        reply.edits++;
        return { json: { ok: true, result: messageResult(reply) } };
      },
    });
    platform = new ChaosPlatform(api);
    return platform;
  }

  /** The env a gateway needs to use this platform, its webhook served on `port`. */
  gatewayEnv(port: number): Record<string, string> {
    this.#webhookUrl = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
    return {
      TELEGRAM_API_ROOT: this.api.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: this.#webhookUrl,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      OUTBOUND_RATE_PER_SECOND: '1000',
    };
  }

  /**
   * Delivers a group message until the gateway acknowledges it (after its commit); resolves
   * with the time of the acknowledgement. Gives up only when the platform is closed.
   */
  async deliver(chat: { chatId: number; userId: number }, text: string): Promise<number> {
    const update = JSON.stringify({
      update_id: ++this.#updateId,
      message: {
        message_id: ++this.#messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chat.chatId, type: 'group', title: `Chaos ${chat.chatId}` },
        from: { id: chat.userId, is_bot: false, first_name: `User${chat.userId}` },
        text,
      },
    });
    while (!this.#closed) {
      try {
        const response = await fetch(this.#webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
          },
          body: update,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        if (response.ok) return Date.now();
      } catch {
        // the gateway is down or restarting: Telegram tries again
      }
      this.redeliveries++;
      await sleep(200);
    }
    throw new Error('platform closed before the update was delivered');
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.api.close();
  }
}
