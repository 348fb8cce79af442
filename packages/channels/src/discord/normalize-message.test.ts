import { MAX_INBOUND_TEXT } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  BOT_USER,
  CHANNELS,
  editPayload,
  GUILD,
  type MessageOptions,
  messagePayload,
  OTHER_BOT,
} from '../../../../tests/support/fake-discord/discord-payloads.ts';
import type { BotIdentity } from '../channel-adapter.ts';
import {
  type DiscordChannelInfo,
  type DiscordNormalizeResult,
  normalizeDiscordDispatch,
} from './normalize-message.ts';

const bot: BotIdentity = { id: BOT_USER.id, username: BOT_USER.username };
const known: Record<string, DiscordChannelInfo> = {
  [CHANNELS.text.id]: { type: 0, parentId: null, name: 'general' },
  [CHANNELS.thread.id]: { type: 11, parentId: CHANNELS.text.id, name: 'planning' },
  [CHANNELS.voice.id]: { type: 2, parentId: null, name: 'Lounge' },
};
const context = { bot, lookupChannel: (id: string) => known[id] ?? null };

const create = (options: MessageOptions = {}) => ({
  t: 'MESSAGE_CREATE',
  d: messagePayload(options),
});
const normalize = (dispatch: unknown) => normalizeDiscordDispatch(dispatch, context);

function event(result: DiscordNormalizeResult) {
  if (result.outcome !== 'event')
    throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('normalizeDiscordDispatch', () => {
  it('turns a guild text message into an InboundMessage with JID discord:<channelId>', () => {
    const d = messagePayload({ id: '1400000000000000007', content: 'hello' });
    expect(event(normalize({ op: 0, s: 3, t: 'MESSAGE_CREATE', d }))).toEqual({
      kind: 'message',
      channel: 'discord',
      chat: {
        jid: `discord:${CHANNELS.text.id}`,
        platformChatId: CHANNELS.text.id,
        title: 'general',
        isGroup: true,
      },
      sender: { platformUserId: ALICE.id, name: 'Alice', username: 'alice', isBot: false },
      platformMessageId: '1400000000000000007',
      text: 'hello',
      replyTo: null,
      mentionsBot: false,
      sentAt: new Date(d.timestamp as string),
      attachments: [],
    });
  });

  it('maps a thread to discord:<parentId>:<threadId> and a DM to a private chat', () => {
    const inThread = event(normalize(create({ channelId: CHANNELS.thread.id })));
    expect(inThread.chat).toEqual({
      jid: `discord:${CHANNELS.text.id}:${CHANNELS.thread.id}`,
      platformChatId: CHANNELS.thread.id,
      title: 'planning',
      isGroup: true,
    });
    const direct = event(normalize(create({ channelId: CHANNELS.dm.id, author: BOB })));
    expect(direct.chat).toEqual({
      jid: `discord:${CHANNELS.dm.id}`,
      platformChatId: CHANNELS.dm.id,
      title: 'bob',
      isGroup: false,
    });
  });

  it('recognizes a DM by its missing guild_id when the channel is not cached', () => {
    const d = messagePayload({ channelId: '1300000000000000777', author: BOB });
    const result = event(normalize({ t: 'MESSAGE_CREATE', d }));
    expect(result.chat).toMatchObject({ jid: 'discord:1300000000000000777', isGroup: false });
  });

  it('prefers the guild nickname, then the global name, then the username', () => {
    const d = messagePayload({ extra: { guild_id: GUILD.id, member: { nick: 'Queen A' } } });
    expect(event(normalize({ t: 'MESSAGE_CREATE', d }))).toMatchObject({
      sender: { name: 'Queen A', username: 'alice' },
    });
    expect(event(normalize(create({ author: BOB })))).toMatchObject({ sender: { name: 'bob' } });
  });

  it('detects a mention of the bot in the content or the mentions array, and shows names', () => {
    const tagged = event(
      normalize(
        create({ content: `<@${BOT_USER.id}> and <@!${BOB.id}>, hi`, mentions: [BOT_USER, BOB] }),
      ),
    );
    expect(tagged).toMatchObject({ mentionsBot: true, text: '@GridBot and @bob, hi' });
    const nickForm = event(normalize(create({ content: `<@!${BOT_USER.id}> hi` })));
    expect(nickForm).toMatchObject({ mentionsBot: true, text: `<@!${BOT_USER.id}> hi` });
    const arrayOnly = event(normalize(create({ content: 'hi', mentions: [BOT_USER] })));
    expect(arrayOnly).toMatchObject({ mentionsBot: true });
    const other = event(normalize(create({ content: `<@${BOB.id}> hi`, mentions: [BOB] })));
    expect(other).toMatchObject({ mentionsBot: false });
  });

  it('tells a reply to the bot from a reply to a person, and ignores forwards', () => {
    const toBot = normalize(create({ replyTo: { id: '1400000000000000001', author: BOT_USER } }));
    expect(event(toBot)).toMatchObject({
      replyTo: { platformMessageId: '1400000000000000001', fromBot: true },
    });
    const toBob = normalize(create({ replyTo: { id: '1400000000000000002', author: BOB } }));
    expect(event(toBob)).toMatchObject({
      replyTo: { platformMessageId: '1400000000000000002', fromBot: false },
    });
    const forward = create({
      extra: { message_reference: { type: 1, message_id: '1400000000000000003' } },
    });
    expect(event(normalize(forward))).toMatchObject({ replyTo: null });
  });

  it('turns an edit (MESSAGE_UPDATE with edited_timestamp) into an InboundEdit', () => {
    const original = messagePayload({ channelId: CHANNELS.thread.id, content: 'v1' });
    const edited = editPayload(original, 'v2');
    expect(event(normalize({ t: 'MESSAGE_UPDATE', d: edited }))).toEqual({
      kind: 'edit',
      channel: 'discord',
      chat: {
        jid: `discord:${CHANNELS.text.id}:${CHANNELS.thread.id}`,
        platformChatId: CHANNELS.thread.id,
        title: 'planning',
        isGroup: true,
      },
      platformMessageId: original.id,
      text: 'v2',
      editedAt: new Date(edited.edited_timestamp as string),
    });
  });

  it('keeps attachments as references: image by content type, else file', () => {
    const result = event(
      normalize(
        create({
          id: '1400000000000000009',
          content: '',
          attachments: [
            {
              id: '1500000000000000001',
              filename: 'cat.png',
              content_type: 'image/png',
              size: 1234,
              width: 640,
              height: 480,
              url: 'https://cdn.discordapp.com/attachments/x/cat.png?ex=1',
            },
            { id: '1500000000000000002', filename: 'notes.txt', size: 12, url: 'https://x' },
            { filename: 'no-id.bin' },
          ],
        }),
      ),
    );
    expect(result).toMatchObject({
      text: '',
      attachments: [
        {
          kind: 'image',
          platformFileId: `${CHANNELS.text.id}/1400000000000000009/1500000000000000001`,
          mimeType: 'image/png',
          fileName: 'cat.png',
          width: 640,
          height: 480,
          sizeBytes: 1234,
        },
        {
          kind: 'file',
          platformFileId: `${CHANNELS.text.id}/1400000000000000009/1500000000000000002`,
          mimeType: null,
          fileName: 'notes.txt',
          width: null,
          height: null,
          sizeBytes: 12,
        },
      ],
    });
  });

  it('cuts an over-long text so it still passes the schema', () => {
    const result = event(normalize(create({ content: 'a'.repeat(MAX_INBOUND_TEXT + 10) })));
    expect((result as { text: string }).text.length).toBeLessThanOrEqual(MAX_INBOUND_TEXT);
    expect((result as { text: string }).text.endsWith('[…truncated]')).toBe(true);
  });

  it.each([
    ['the bot’s own message', create({ author: BOT_USER }), 'bot itself'],
    ['another bot’s message', create({ author: OTHER_BOT }), 'another bot'],
    ['a webhook message', create({ extra: { webhook_id: '1' } }), 'webhook'],
    ['a system message (pin)', create({ extra: { type: 6 } }), 'system message of type 6'],
    ['a sticker without text', create({ content: '' }), 'no text or attachments'],
    ['another dispatch type', { t: 'TYPING_START', d: {} }, 'TYPING_START'],
    ['an embed unfurl', { t: 'MESSAGE_UPDATE', d: messagePayload() }, 'not an edit'],
    [
      'an update without content',
      { t: 'MESSAGE_UPDATE', d: { id: '1', channel_id: '2', author: ALICE } },
      'without content',
    ],
  ])('ignores %s', (_name, dispatch, reason) => {
    const result = normalize(dispatch);
    expect(result.outcome).toBe('ignored');
    expect(result.outcome === 'ignored' && result.reason).toContain(reason);
  });

  it.each([
    ['a voice channel', create({ channelId: CHANNELS.voice.id }), 'type 2 (voice)'],
    [
      'a forum root (by channel_type)',
      create({ channelId: '1300000000000000555', extra: { guild_id: GUILD.id, channel_type: 15 } }),
      'type 15 (forum)',
    ],
    [
      'an uncached guild channel',
      create({ channelId: '1300000000000000556', extra: { guild_id: GUILD.id } }),
      'is unknown',
    ],
    [
      'a thread whose parent is unknown',
      create({ channelId: '1300000000000000557', extra: { guild_id: GUILD.id, channel_type: 11 } }),
      'parent of thread',
    ],
  ])('reports a message in %s as unsupported', (_name, dispatch, reason) => {
    const result = normalize(dispatch);
    expect(result.outcome).toBe('unsupported');
    expect(result.outcome === 'unsupported' && result.reason).toContain(reason);
  });

  const without = (field: string) => {
    const d: Record<string, unknown> = messagePayload({ id: '1400000000000000042' });
    delete d[field];
    return { t: 'MESSAGE_CREATE', d };
  };
  it.each([
    ['null', null, null, 'got null'],
    ['a string', 'MESSAGE_CREATE', null, 'got string'],
    ['no t', { d: messagePayload() }, null, 't (the dispatch type)'],
    ['no d', { t: 'MESSAGE_CREATE' }, null, 'd is not an object'],
    ['no id', without('id'), null, 'id is missing'],
    ['no channel_id', without('channel_id'), '1400000000000000042', 'channel_id'],
    ['no author', without('author'), '1400000000000000042', 'author is missing'],
    ['no timestamp', without('timestamp'), '1400000000000000042', 'timestamp'],
    [
      'a numeric content',
      create({ id: '1400000000000000042', extra: { content: 5 } }),
      '1400000000000000042',
      'content',
    ],
    [
      'an author without username',
      create({ id: '1400000000000000042', author: { id: '1', username: '' } as typeof ALICE }),
      '1400000000000000042',
      'author.username',
    ],
  ])(
    'reports a dispatch with %s as invalid, without throwing',
    (_name, dispatch, messageId, reason) => {
      const result = normalize(dispatch);
      expect(result).toMatchObject({ outcome: 'invalid', messageId });
      expect(result.outcome === 'invalid' && result.reason).toContain(reason);
    },
  );
});
