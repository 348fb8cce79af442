import { asJid } from '@gridbot/core';
import { captureLogger, startFakeBotApi } from '../../../../tests/support/fake-bot-api.ts';
import type { FormFile } from '../../../../tests/support/multipart.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { TelegramAdapter } from './telegram-adapter.ts';

/** The fake's getMe answers id 666, @GridTestBot. */
const BOT = { id: 666, is_bot: true, first_name: 'Grid', username: 'GridTestBot' };
const ALICE = { id: 42, is_bot: false, first_name: 'Alice', username: 'alice' };
const GROUP = { id: -100123, type: 'supergroup', title: 'Team' };

let nextId = 1;
const message = (text: string, extra: Record<string, unknown> = {}) => ({
  message_id: nextId++,
  date: Math.floor(Date.now() / 1000),
  chat: GROUP,
  from: ALICE,
  text,
  ...extra,
});
const update = (field: 'message' | 'edited_message', body: Record<string, unknown>) => ({
  update_id: nextId++,
  [field]: body,
});

describeChannelAdapterContract('TelegramAdapter (fake Bot API, webhook mode)', async (onEvent) => {
  const sentIds: number[] = [];
  const fake = await startFakeBotApi({
    sendMessage: (body) => {
      sentIds.push(500 + sentIds.length);
      return {
        json: {
          ok: true,
          result: {
            message_id: sentIds.at(-1),
            date: 1,
            chat: { id: body.chat_id, type: 'supergroup' },
          },
        },
      };
    },
    sendDocument: (body) => {
      sentIds.push(500 + sentIds.length);
      const file = body.document as FormFile;
      return {
        json: {
          ok: true,
          result: {
            message_id: sentIds.at(-1),
            date: 1,
            chat: { id: Number(body.chat_id), type: 'supergroup' },
            document: { file_id: 'f', file_unique_id: 'f', file_name: file.name },
          },
        },
      };
    },
  });
  // Webhook mode: start() only calls getMe and setWebhook; updates come through handleUpdate.
  const adapter = new TelegramAdapter({
    token: '1:contract',
    apiRoot: fake.apiRoot,
    mode: 'webhook',
    webhook: { url: 'http://127.0.0.1:9/tg', secret: 'contract-secret', path: '/tg' },
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  return {
    adapter,
    botId: String(BOT.id),
    groupJid: asJid(`telegram:${GROUP.id}`),
    sampleMessageId: '77',
    updates: {
      groupText: (text) => update('message', message(text)),
      directText: (text) =>
        update(
          'message',
          message(text, { chat: { id: 42, type: 'private', first_name: 'Alice' } }),
        ),
      mentioningBot: (text) =>
        update(
          'message',
          message(`@GridTestBot ${text}`, {
            entities: [{ type: 'mention', offset: 0, length: 12 }],
          }),
        ),
      replyToBot: (text, repliedToId) =>
        update(
          'message',
          message(text, {
            reply_to_message: { message_id: Number(repliedToId), date: 1, chat: GROUP, from: BOT },
          }),
        ),
      edit: (text) => {
        const edited = message(text, { edit_date: Math.floor(Date.now() / 1000) });
        return {
          update: update('edited_message', edited),
          platformMessageId: String(edited.message_id),
        };
      },
      fromBot: (text) => update('message', message(text, { from: BOT })),
      press: (messageId, data) => ({
        update_id: nextId++,
        callback_query: {
          id: `q${nextId}`,
          from: ALICE,
          message: { message_id: Number(messageId), date: 1, chat: GROUP, from: BOT, text: 'x' },
          data,
        },
      }),
      malformed: () => [
        { update_id: nextId++, message: { chat: GROUP } },
        { update_id: nextId++, message: { ...message('no sender'), from: undefined } },
        { message: message('no update id') },
      ],
    },
    sent: async () =>
      fake.calls
        .filter((call) => call.method === 'sendMessage' || call.method === 'sendDocument')
        .map((call, index): ContractSentMessage => {
          // An upload's fields are form strings: objects come JSON-serialized.
          const raw = call.body.reply_parameters;
          const reply = (typeof raw === 'string' ? JSON.parse(raw) : raw) as
            | { message_id?: number }
            | undefined;
          const file = call.method === 'sendDocument' ? (call.body.document as FormFile) : null;
          const markup = call.body.reply_markup as
            | { inline_keyboard?: { callback_data?: string }[][] }
            | undefined;
          return {
            jid: `telegram:${String(call.body.chat_id)}`,
            text: String(file ? (call.body.caption ?? '') : call.body.text),
            replyTo: reply?.message_id === undefined ? null : String(reply.message_id),
            messageId: String(sentIds[index]),
            ...(file && { document: { fileName: file.name, content: file.text } }),
            ...(markup?.inline_keyboard?.length && {
              actions: markup.inline_keyboard.flat().map((b) => String(b.callback_data)),
            }),
          };
        }),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
