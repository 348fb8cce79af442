import type { ActionAnswer, InboundAction } from '@gridbot/core';
import { type Api, GrammyError } from 'grammy';
import type { Logger } from 'pino';
import { platformRefusal } from './send-text.ts';
import { markdownToTelegramHtml } from './telegram-html.ts';

/** Telegram shows at most 200 characters of a callback answer. */
const MAX_ANSWER = 200;

/**
 * Answers a button press: `answerCallbackQuery` with the notice (the client stops its
 * spinner and shows it), then, when the answer edits, `editMessageText` with the new text
 * and an empty inline keyboard (the buttons go). Telegram refuses a second answer to the same
 * query (a redelivered press): that refusal is logged, not thrown.
 */
export async function answerTelegramAction(
  api: Api,
  action: InboundAction,
  answer: ActionAnswer,
  logger: Logger,
): Promise<void> {
  const chatId = Number(action.chat.platformChatId);
  try {
    await api.answerCallbackQuery(action.actionId, { text: answer.text.slice(0, MAX_ANSWER) });
  } catch (error) {
    if (!(error instanceof GrammyError) || error.error_code !== 400)
      throw platformRefusal(error) ?? error;
    logger.warn({ description: error.description }, 'telegram refused a callback answer');
  }
  if (answer.edit === null) return;
  const messageId = Number(action.platformMessageId);
  await api.editMessageText(chatId, messageId, markdownToTelegramHtml(answer.edit), {
    parse_mode: 'HTML',
    reply_markup: { inline_keyboard: [] },
  });
}
