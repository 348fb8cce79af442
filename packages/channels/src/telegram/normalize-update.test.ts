import { MAX_INBOUND_TEXT } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import type { BotIdentity } from '../channel-adapter.ts';
import { type NormalizeResult, normalizeTelegramUpdate } from './normalize-update.ts';

const bot: BotIdentity = { id: '666', username: 'GridTestBot' };
const alice = {
  id: 42,
  is_bot: false,
  first_name: 'Alice',
  last_name: 'Liddell',
  username: 'alice',
};
const group = { id: -100123, type: 'supergroup', title: 'Tea party' };

function message(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    message_id: 7,
    date: 1_700_000_000,
    chat: group,
    from: alice,
    text: 'hello',
    ...overrides,
  };
}

function event(result: NormalizeResult) {
  if (result.outcome !== 'event')
    throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('normalizeTelegramUpdate', () => {
  it('turns a supergroup text message into an InboundMessage', () => {
    const result = normalizeTelegramUpdate({ update_id: 1, message: message() }, bot);
    expect(event(result)).toEqual({
      kind: 'message',
      channel: 'telegram',
      chat: {
        jid: 'telegram:-100123',
        platformChatId: '-100123',
        title: 'Tea party',
        isGroup: true,
      },
      sender: { platformUserId: '42', name: 'Alice Liddell', username: 'alice', isBot: false },
      platformMessageId: '7',
      text: 'hello',
      replyTo: null,
      mentionsBot: false,
      sentAt: new Date(1_700_000_000_000),
      attachments: [],
    });
  });

  it('handles a basic group and a private chat (titled with the person’s name)', () => {
    const inGroup = event(
      normalizeTelegramUpdate(
        { update_id: 2, message: message({ chat: { id: -5, type: 'group', title: 'Family' } }) },
        bot,
      ),
    );
    expect(inGroup.chat).toMatchObject({ jid: 'telegram:-5', title: 'Family', isGroup: true });

    const direct = event(
      normalizeTelegramUpdate(
        {
          update_id: 3,
          message: message({
            chat: { id: 42, type: 'private', first_name: 'Alice' },
            from: { id: 42, is_bot: false, first_name: 'Alice' },
          }),
        },
        bot,
      ),
    );
    expect(direct.chat).toEqual({
      jid: 'telegram:42',
      platformChatId: '42',
      title: 'Alice',
      isGroup: false,
    });
    expect(direct.kind === 'message' && direct.sender).toEqual({
      platformUserId: '42',
      name: 'Alice',
      username: null,
      isBot: false,
    });
  });

  it('uses the caption of a photo as its text', () => {
    const result = normalizeTelegramUpdate(
      {
        update_id: 4,
        message: message({ text: undefined, photo: [{ file_id: 'x' }], caption: 'look' }),
      },
      bot,
    );
    expect(event(result)).toMatchObject({ kind: 'message', text: 'look' });
  });

  it('detects a mention of the bot, case-insensitively, and not of someone else', () => {
    const text = '@gridtestbot what time is it? cc @bob';
    const mention = (offset: number, length: number) => ({ type: 'mention', offset, length });
    const toBot = normalizeTelegramUpdate(
      { update_id: 5, message: message({ text, entities: [mention(0, 12)] }) },
      bot,
    );
    expect(event(toBot)).toMatchObject({ mentionsBot: true });

    const toBob = normalizeTelegramUpdate(
      { update_id: 6, message: message({ text, entities: [mention(33, 4)] }) },
      bot,
    );
    expect(event(toBob)).toMatchObject({ mentionsBot: false });

    const textMention = normalizeTelegramUpdate(
      {
        update_id: 7,
        message: message({
          text: 'Grid help',
          entities: [
            {
              type: 'text_mention',
              offset: 0,
              length: 4,
              user: { id: 666, is_bot: true, first_name: 'Grid' },
            },
          ],
        }),
      },
      bot,
    );
    expect(event(textMention)).toMatchObject({ mentionsBot: true });

    const inCaption = normalizeTelegramUpdate(
      {
        update_id: 8,
        message: message({
          text: undefined,
          caption: 'hi @GridTestBot',
          caption_entities: [mention(3, 12)],
        }),
      },
      bot,
    );
    expect(event(inCaption)).toMatchObject({ mentionsBot: true });
  });

  it('tells a reply to the bot from a reply to a human', () => {
    const toBot = normalizeTelegramUpdate(
      {
        update_id: 9,
        message: message({
          reply_to_message: {
            message_id: 3,
            date: 1,
            chat: group,
            from: { id: 666, is_bot: true, first_name: 'Grid' },
          },
        }),
      },
      bot,
    );
    expect(event(toBot)).toMatchObject({ replyTo: { platformMessageId: '3', fromBot: true } });

    const toHuman = normalizeTelegramUpdate(
      {
        update_id: 10,
        message: message({
          reply_to_message: { message_id: 4, date: 1, chat: group, from: alice },
        }),
      },
      bot,
    );
    expect(event(toHuman)).toMatchObject({ replyTo: { platformMessageId: '4', fromBot: false } });
  });

  it('does not treat the implicit reply to a forum topic’s first message as a reply', () => {
    const result = normalizeTelegramUpdate(
      {
        update_id: 11,
        message: message({
          is_topic_message: true,
          reply_to_message: {
            message_id: 2,
            date: 1,
            chat: group,
            forum_topic_created: { name: 't' },
          },
        }),
      },
      bot,
    );
    expect(event(result)).toMatchObject({ replyTo: null });
  });

  it('turns an edited message into an InboundEdit', () => {
    const result = normalizeTelegramUpdate(
      { update_id: 12, edited_message: message({ text: 'hello again', edit_date: 1_700_000_060 }) },
      bot,
    );
    expect(event(result)).toEqual({
      kind: 'edit',
      channel: 'telegram',
      chat: {
        jid: 'telegram:-100123',
        platformChatId: '-100123',
        title: 'Tea party',
        isGroup: true,
      },
      platformMessageId: '7',
      text: 'hello again',
      editedAt: new Date(1_700_000_060_000),
    });
  });

  it('cuts an over-long text so it still passes the schema', () => {
    const text = 'a'.repeat(MAX_INBOUND_TEXT + 10);
    const result = event(
      normalizeTelegramUpdate({ update_id: 13, message: message({ text }) }, bot),
    );
    expect((result as { text: string }).text.length).toBeLessThanOrEqual(MAX_INBOUND_TEXT);
    expect((result as { text: string }).text.endsWith('[…truncated]')).toBe(true);
  });

  it.each([
    [
      'a button press without its message (inline mode)',
      { update_id: 20, callback_query: { id: '1', from: alice, data: 'x' } },
      'inline mode',
    ],
    ['a membership change', { update_id: 21, my_chat_member: {} }, 'my_chat_member'],
    ['a channel post', { update_id: 22, channel_post: { message_id: 1 } }, 'channel_post'],
    [
      'a sticker',
      { update_id: 23, message: message({ text: undefined, sticker: { file_id: 's' } }) },
      'no text',
    ],
    [
      'the bot’s own message',
      { update_id: 24, message: message({ from: { id: 666, is_bot: true, first_name: 'Grid' } }) },
      'bot itself',
    ],
    [
      'a message in a channel chat',
      { update_id: 25, message: message({ chat: { id: -1009, type: 'channel', title: 'News' } }) },
      'chat type',
    ],
  ])('ignores %s', (_name, update, reason) => {
    const result = normalizeTelegramUpdate(update, bot);
    expect(result.outcome).toBe('ignored');
    expect(result.outcome === 'ignored' && result.reason).toContain(reason);
  });

  it.each([
    ['null', null, null, 'got null'],
    ['a string', 'hello', null, 'got string'],
    ['an array', [1, 2], null, 'got an array'],
    ['no update_id', { message: message() }, null, 'update_id'],
    ['a string update_id', { update_id: '5', message: message() }, null, 'update_id'],
    ['a non-object message', { update_id: 30, message: 'hi' }, 30, 'message is not an object'],
    ['no chat', { update_id: 31, message: message({ chat: undefined }) }, 31, 'message.chat'],
    ['no sender', { update_id: 32, message: message({ from: undefined }) }, 32, 'message.from'],
    ['no date', { update_id: 33, message: message({ date: undefined }) }, 33, 'message.date'],
    [
      'a string chat id',
      { update_id: 34, message: message({ chat: { ...group, id: '-100' } }) },
      34,
      'message.chat.id',
    ],
    ['a numeric text', { update_id: 35, message: message({ text: 12 }) }, 35, 'message.text'],
    [
      'a chat type Telegram does not have',
      { update_id: 37, message: message({ chat: { ...group, type: 'hyperspace' } }) },
      37,
      'chat.type "hyperspace" is not a Telegram chat type',
    ],
    [
      'a sender without a name',
      { update_id: 36, message: message({ from: { id: 1, is_bot: false } }) },
      36,
      'first_name',
    ],
  ])(
    'reports an update with %s as invalid, without throwing',
    (_name, update, updateId, reason) => {
      const result = normalizeTelegramUpdate(update, bot);
      expect(result).toMatchObject({ outcome: 'invalid', updateId });
      expect(result.outcome === 'invalid' && result.reason).toContain(reason);
    },
  );
});

describe('attachments', () => {
  const bot = { id: '666', username: 'GridTestBot' };
  const base = {
    message_id: 7,
    date: 1_700_000_000,
    chat: { id: -100, type: 'supergroup', title: 'Team' },
    from: { id: 1, is_bot: false, first_name: 'Ann' },
  };

  it('keeps the largest photo as a reference, with its caption as the text', () => {
    const result = normalizeTelegramUpdate(
      {
        update_id: 1,
        message: {
          ...base,
          caption: '@GridTestBot what is this?',
          caption_entities: [{ type: 'mention', offset: 0, length: 12 }],
          photo: [
            { file_id: 'small', width: 90, height: 60, file_size: 1_000 },
            { file_id: 'large', width: 1280, height: 853, file_size: 90_000 },
          ],
        },
      },
      bot,
    );
    expect(result).toMatchObject({
      outcome: 'event',
      event: {
        text: '@GridTestBot what is this?',
        mentionsBot: true,
        attachments: [
          { kind: 'image', platformFileId: 'large', width: 1280, height: 853, sizeBytes: 90_000 },
        ],
      },
    });
  });

  it('accepts a photo or a document without any text', () => {
    const photo = normalizeTelegramUpdate(
      { update_id: 2, message: { ...base, photo: [{ file_id: 'p', width: 10, height: 10 }] } },
      bot,
    );
    expect(photo).toMatchObject({
      outcome: 'event',
      event: { text: '', attachments: [{ platformFileId: 'p' }] },
    });
    const doc = normalizeTelegramUpdate(
      {
        update_id: 3,
        message: {
          ...base,
          document: { file_id: 'd', file_name: 'report.pdf', mime_type: 'application/pdf' },
        },
      },
      bot,
    );
    expect(doc).toMatchObject({
      outcome: 'event',
      event: {
        attachments: [
          {
            kind: 'file',
            platformFileId: 'd',
            fileName: 'report.pdf',
            mimeType: 'application/pdf',
          },
        ],
      },
    });
  });
});
