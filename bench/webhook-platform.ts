/**
 * The Telegram side of a benchmark without the polling emulator: updates are POSTed to the
 * gateway's webhook as Telegram would, and a minimal Bot API records each `sendMessage`
 * with the wall-clock time it arrived. Far lighter than telegram-test-api, so the fake
 * costs the machine little of what is measured.
 */

import { type FakeBotApi, startFakeBotApi } from '../tests/support/fake-bot-api.ts';
import { preciseNow } from './inprocess-agent-runtime.ts';

export const WEBHOOK_SECRET = 'bench-webhook-secret';
export const WEBHOOK_PATH = '/telegram/webhook';

/** One reply the bot sent. */
export interface SentReply {
  chatId: number;
  text: string;
  /** When the Bot API received it (wall-clock ms, sub-ms precision). */
  at: number;
}

export class WebhookPlatform {
  readonly api: FakeBotApi;
  readonly replies: SentReply[] = [];
  #updateId = 0;
  #messageId = 0;
  #webhookUrl = '';
  readonly #listeners = new Set<(reply: SentReply) => void>();

  private constructor(api: FakeBotApi) {
    this.api = api;
  }

  static async start(): Promise<WebhookPlatform> {
    let platform: WebhookPlatform | null = null;
    const api = await startFakeBotApi({
      sendMessage: (body) => {
        const reply = { chatId: Number(body.chat_id), text: String(body.text), at: preciseNow() };
        platform?.record(reply);
        return {
          json: {
            ok: true,
            result: {
              message_id: 100_000 + reply.chatId * -1 + platform!.replies.length,
              date: Math.floor(Date.now() / 1000),
              chat: { id: reply.chatId, type: 'group' },
              text: reply.text,
            },
          },
        };
      },
    });
    platform = new WebhookPlatform(api);
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
      // Lift the platform send limit (25/s): measure the pipeline, not Telegram's limit.
      OUTBOUND_RATE_PER_SECOND: '10000',
    };
  }

  record(reply: SentReply): void {
    this.replies.push(reply);
    for (const listener of this.#listeners) listener(reply);
  }

  onReply(listener: (reply: SentReply) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * POSTs a group message to the gateway's webhook; resolves with the wall-clock time just
   * before the POST, once the gateway answered (it answers after the DB commit).
   */
  async say(
    chat: { chatId: number; userId: number; title?: string },
    text: string,
  ): Promise<number> {
    const update = {
      update_id: ++this.#updateId,
      message: {
        message_id: ++this.#messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chat.chatId, type: 'group', title: chat.title ?? `Chat ${chat.chatId}` },
        from: { id: chat.userId, is_bot: false, first_name: `User${chat.userId}` },
        text,
      },
    };
    const body = JSON.stringify(update);
    const sentAt = preciseNow();
    const response = await fetch(this.#webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
      },
      body,
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    return sentAt;
  }

  close(): Promise<void> {
    return this.api.close();
  }
}

/** `[agent-in=… agent-out=…]` of a bench-inprocess reply. */
export function agentTimes(text: string): { in: number; out: number } | null {
  const match = /\[agent-in=([\d.]+) agent-out=([\d.]+)\]/.exec(text);
  return match ? { in: Number(match[1]), out: Number(match[2]) } : null;
}

/** The bench tokens (`t<thread>m<message>`) a reply quotes. */
export function tokensOf(text: string): string[] {
  return [...text.matchAll(/\b(t\d+m\d+)\b/g)].map((m) => m[1]!);
}
