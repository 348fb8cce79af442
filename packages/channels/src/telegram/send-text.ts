import {
  GridBotError,
  type Jid,
  type MessageAction,
  PlatformRateLimitError,
  PlatformRejectedError,
  parseJid,
} from '@gridbot/core';
import { type Api, GrammyError } from 'grammy';
import type { Logger } from 'pino';
import type { SendOptions } from '../channel-adapter.ts';
import { markdownToTelegramHtml } from './telegram-html.ts';

/** 400 descriptions that mean the formatting, not the message, was refused. */
const FORMATTING_REFUSED = /entit|tag|pars|text is empty|text must be non-empty/i;

/** Where a Telegram JID points: the chat, and the forum topic when there is a sub-id. */
export function telegramTarget(jid: Jid): { chatId: number; threadId: number | undefined } {
  const { channel, chatId, subId } = parseJid(jid);
  if (channel !== 'telegram') {
    throw new GridBotError(`Cannot send to ${jid} with the Telegram adapter: not a telegram JID.`);
  }
  const threadId = subId === null ? undefined : Number(subId);
  if (threadId !== undefined && !Number.isSafeInteger(threadId)) {
    throw new GridBotError(`Cannot send to ${jid}: the topic id must be an integer.`);
  }
  return { chatId: Number(chatId), threadId };
}

/**
 * A Telegram refusal as the error egress acts on: 429 waits (`PlatformRateLimitError`); 403
 * (the bot was blocked, kicked or never added) fails the reply at once
 * (`PlatformRejectedError`); anything else is null (retried as usual).
 */
export function platformRefusal(
  error: unknown,
): PlatformRateLimitError | PlatformRejectedError | null {
  if (!(error instanceof GrammyError)) return null;
  if (error.error_code === 403)
    return new PlatformRejectedError('telegram', error.description, { cause: error });
  if (error.error_code !== 429) return null;
  const seconds = error.parameters.retry_after ?? 1;
  return new PlatformRateLimitError('telegram', seconds * 1000, { cause: error });
}

/**
 * Sends one chunk: Markdown converted to Telegram HTML, as a reply when `replyTo` is set.
 * When Telegram refuses the formatting (400), sends the original text unformatted, so no
 * message is lost to formatting. Maps 429 to `PlatformRateLimitError`; other errors
 * propagate. Returns the sent message's id.
 */
export async function sendTelegramText(
  api: Api,
  jid: Jid,
  text: string,
  options: SendOptions,
  logger: Logger,
): Promise<string> {
  const { chatId, threadId } = telegramTarget(jid);
  const replyTo = options.replyTo === null ? Number.NaN : Number(options.replyTo);
  const common = {
    ...(threadId === undefined ? {} : { message_thread_id: threadId }),
    ...(Number.isSafeInteger(replyTo)
      ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
      : {}),
    link_preview_options: { is_disabled: true },
    ...(options.actions?.length && { reply_markup: inlineKeyboard(options.actions) }),
  };
  try {
    try {
      const sent = await api.sendMessage(chatId, markdownToTelegramHtml(text), {
        ...common,
        parse_mode: 'HTML',
      });
      return String(sent.message_id);
    } catch (error) {
      if (
        !(error instanceof GrammyError) ||
        error.error_code !== 400 ||
        !FORMATTING_REFUSED.test(error.description)
      ) {
        throw error;
      }
      logger.warn(
        { jid, description: error.description },
        'telegram refused the formatted text; sending it unformatted',
      );
      const sent = await api.sendMessage(chatId, text, common);
      return String(sent.message_id);
    }
  } catch (error) {
    throw platformRefusal(error) ?? error;
  }
}

/** Buttons as one row of an inline keyboard; a press sends the button's id as `callback_data`. */
export function inlineKeyboard(actions: readonly MessageAction[]) {
  return {
    inline_keyboard: [actions.map((action) => ({ text: action.label, callback_data: action.id }))],
  };
}

/**
 * Edits a bot message (a streamed reply's placeholder) into one chunk, formatted as
 * {@link sendTelegramText} sends it (unformatted when Telegram refuses the formatting).
 * "message is not modified" (the same edit again, after a crash) is no error.
 */
export async function editTelegramText(
  api: Api,
  jid: Jid,
  messageId: string,
  text: string,
  options: SendOptions,
): Promise<void> {
  const { chatId } = telegramTarget(jid);
  const common = {
    link_preview_options: { is_disabled: true },
    ...(options.actions?.length && { reply_markup: inlineKeyboard(options.actions) }),
  };
  const edit = async (body: string, formatted: boolean) => {
    try {
      await api.editMessageText(chatId, Number(messageId), body, {
        ...common,
        ...(formatted && { parse_mode: 'HTML' as const }),
      });
    } catch (error) {
      if (error instanceof GrammyError && /message is not modified/i.test(error.description))
        return;
      throw error;
    }
  };
  try {
    try {
      await edit(markdownToTelegramHtml(text), true);
    } catch (error) {
      if (
        !(error instanceof GrammyError) ||
        error.error_code !== 400 ||
        !FORMATTING_REFUSED.test(error.description)
      )
        throw error;
      await edit(text, false);
    }
  } catch (error) {
    throw platformRefusal(error) ?? uneditable(error) ?? error;
  }
}

/** The message is gone or can no longer be edited (400): a refusal, not a failure to retry. */
function uneditable(error: unknown): PlatformRejectedError | null {
  if (!(error instanceof GrammyError) || error.error_code !== 400) return null;
  if (
    !/message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i.test(error.description)
  )
    return null;
  return new PlatformRejectedError('telegram', error.description, { cause: error });
}
