import type { Jid } from '@gridbot/core';
import { type Api, InputFile } from 'grammy';
import type { OutboundDocument, SendOptions } from '../channel-adapter.ts';
import { platformRefusal, telegramTarget } from './send-text.ts';

/** Telegram's limit on a document's caption (characters, after entity parsing). */
const MAX_CAPTION = 1024;
/** Telegram's limit on a file a bot uploads with `sendDocument` (multipart). */
export const TELEGRAM_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/**
 * Uploads one file with `sendDocument` (multipart/form-data), with its caption as plain
 * text, as a reply when `replyTo` is set. Maps 429 to `PlatformRateLimitError`; returns the
 * sent message's id.
 */
export async function sendTelegramDocument(
  api: Api,
  jid: Jid,
  document: OutboundDocument,
  options: SendOptions,
): Promise<string> {
  const { chatId, threadId } = telegramTarget(jid);
  const replyTo = options.replyTo === null ? Number.NaN : Number(options.replyTo);
  try {
    const sent = await api.sendDocument(chatId, new InputFile(document.data, document.fileName), {
      ...(threadId === undefined ? {} : { message_thread_id: threadId }),
      ...(Number.isSafeInteger(replyTo)
        ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
        : {}),
      ...(document.caption && { caption: document.caption.slice(0, MAX_CAPTION) }),
    });
    return String(sent.message_id);
  } catch (error) {
    throw platformRefusal(error) ?? error;
  }
}
