import { asJid, GridBotError, type InboundEvent, PlatformRateLimitError } from '@gridbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import {
  ALICE,
  BOB,
  BOT_USER,
  CHANNELS,
  editPayload,
  GUILD,
  messagePayload,
} from '../../../../tests/support/fake-discord/discord-payloads.ts';
import {
  type FakeDiscord,
  startFakeDiscord,
} from '../../../../tests/support/fake-discord/fake-discord.ts';
import { waitFor } from '../../../../tests/support/wait-for.ts';
import type { IngressHandler } from '../channel-adapter.ts';
import { DiscordAdapter } from './discord-adapter.ts';
import type { DiscordAdapterOptions } from './discord-adapter-options.ts';

/** A message's or an edit's text ('' for a button press). */
const textOf = (event: InboundEvent | undefined): string =>
  event && 'text' in event ? event.text : '';

const TOKEN = 'MTEw.fake.discord-bot-token';
const ZWSP = '\u200b';
const textJid = asJid(`discord:${CHANNELS.text.id}`);
const threadJid = asJid(`discord:${CHANNELS.text.id}:${CHANNELS.thread.id}`);

let fake: FakeDiscord | null = null;
let adapter: DiscordAdapter | null = null;

afterEach(async () => {
  await adapter?.stop();
  adapter = null;
  await fake?.close();
  fake = null;
});

interface Started {
  discord: FakeDiscord;
  adapter: DiscordAdapter;
  events: InboundEvent[];
  records: Record<string, unknown>[];
}

/** A fake Discord and an adapter started against it; `handler` replaces the recording one. */
async function startAdapter(
  handler?: IngressHandler,
  overrides: Partial<DiscordAdapterOptions> = {},
): Promise<Started> {
  const discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1_000 });
  fake = discord;
  const { logger, records } = captureLogger();
  const events: InboundEvent[] = [];
  adapter = new DiscordAdapter({
    token: TOKEN,
    apiBase: discord.apiBase,
    logger,
    ingressRetry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    ...overrides,
  });
  await adapter.start(
    handler ??
      (async (event) => {
        events.push(event);
      }),
  );
  return { discord, adapter, events, records };
}

const warnings = (records: Record<string, unknown>[]) =>
  records.filter((record) => record.level === 40).map((record) => String(record.msg));

describe('DiscordAdapter against the fake Discord gateway', () => {
  it('logs in over gateway v10 with JSON, no compression, and the intents it needs', async () => {
    const { discord, adapter } = await startAdapter();
    expect(adapter.identity()).toEqual({ id: BOT_USER.id, username: BOT_USER.username });
    expect(String(discord.gateway.connections[0])).toBe('v=10&encoding=json');
    // Guilds | GuildMessages | DirectMessages | MessageContent
    expect(discord.gateway.identifies).toMatchObject([{ intents: 1 | 512 | 4096 | 32768 }]);
    expect(discord.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', status: 200 });
  });

  it('normalizes messages from a text channel, a thread and a DM', async () => {
    const { discord, events } = await startAdapter();
    discord.dispatchMessage(messagePayload({ content: 'in general' }));
    discord.dispatchMessage(
      messagePayload({ content: 'in thread', channelId: CHANNELS.thread.id }),
    );
    discord.dispatchMessage(messagePayload({ content: 'in private', channelId: CHANNELS.dm.id }));
    await waitFor('three events', () => events.length === 3);
    expect(events.map((event) => [textOf(event), event.chat.jid, event.chat.isGroup])).toEqual([
      ['in general', textJid, true],
      ['in thread', threadJid, true],
      ['in private', `discord:${CHANNELS.dm.id}`, false],
    ]);
    expect(events[0]).toMatchObject({
      kind: 'message',
      channel: 'discord',
      chat: { title: 'general', platformChatId: CHANNELS.text.id },
      sender: { platformUserId: ALICE.id, name: 'Alice', username: 'alice', isBot: false },
    });
    expect(events[1]?.chat).toMatchObject({
      title: 'planning',
      platformChatId: CHANNELS.thread.id,
    });
  });

  it('fetches a thread it never saw announced, to learn its parent', async () => {
    const { discord, events } = await startAdapter();
    const thread = {
      id: '1300000000000000444',
      type: 12,
      name: 'secret plans',
      guild_id: GUILD.id,
      parent_id: CHANNELS.text.id,
    };
    discord.addChannel(thread);
    discord.dispatchMessage(
      messagePayload({ content: 'psst', channelId: thread.id, extra: { guild_id: GUILD.id } }),
    );
    await waitFor('the event', () => events.length === 1);
    expect(events[0]?.chat).toEqual({
      jid: `discord:${CHANNELS.text.id}:${thread.id}`,
      platformChatId: thread.id,
      title: 'secret plans',
      isGroup: true,
    });
    expect(discord.requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: `/channels/${thread.id}`, status: 200 }),
    );
  });

  it('flags a <@bot> mention and a reply to the bot, and turns MESSAGE_UPDATE into an edit', async () => {
    const { discord, events } = await startAdapter();
    discord.dispatchMessage(
      messagePayload({ content: `<@${BOT_USER.id}> status?`, mentions: [BOT_USER] }),
    );
    const answered = '1400000000000000123';
    discord.dispatchMessage(
      messagePayload({ content: 'thanks', replyTo: { id: answered, author: BOT_USER } }),
    );
    const original = messagePayload({ content: 'teh plan', author: BOB });
    discord.dispatchMessage(original);
    discord.dispatchUpdate(editPayload(original, 'the plan'));
    await waitFor('four events', () => events.length === 4);
    expect(events[0]).toMatchObject({ mentionsBot: true, text: '@GridBot status?' });
    expect(events[1]).toMatchObject({
      mentionsBot: false,
      replyTo: { platformMessageId: answered, fromBot: true },
    });
    expect(events[3]).toMatchObject({
      kind: 'edit',
      platformMessageId: original.id,
      text: 'the plan',
      chat: { jid: textJid },
    });
  });

  it('resumes after a dropped connection and replays the message sent during the outage', async () => {
    const { discord, events } = await startAdapter();
    discord.dispatchMessage(messagePayload({ content: 'before' }));
    await waitFor('the first event', () => events.length === 1);
    discord.dropConnection();
    discord.dispatchMessage(messagePayload({ content: 'during the outage' }));
    await discord.waitForConnection();
    discord.dispatchMessage(messagePayload({ content: 'after' }));
    await waitFor('three events', () => events.length === 3);
    expect(events.map((event) => textOf(event))).toEqual(['before', 'during the outage', 'after']);
    expect(discord.gateway.resumes).toBe(1);
    expect(discord.gateway.identifies).toHaveLength(1);
  });

  it('awaits the handler one message at a time, in arrival order', async () => {
    const log: string[] = [];
    let active = 0;
    let overlapped = false;
    const { discord } = await startAdapter(async (event) => {
      active += 1;
      overlapped ||= active > 1;
      log.push(textOf(event));
      // A slow commit for every third message.
      await new Promise((resolve) => setTimeout(resolve, log.length % 3 === 0 ? 20 : 1));
      active -= 1;
    });
    const texts = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
    for (const content of texts) discord.dispatchMessage(messagePayload({ content }));
    await waitFor('the burst', () => log.length === 20);
    expect(log).toEqual(texts);
    expect(overlapped).toBe(false);
  });

  it('retries a failing handler with backoff, keeping later messages behind it', async () => {
    const attempts: string[] = [];
    let failuresLeft = 2;
    const { discord, records } = await startAdapter(async (event) => {
      attempts.push(textOf(event));
      if (textOf(event) === 'first' && failuresLeft-- > 0) throw new Error('database down');
    });
    discord.dispatchMessage(messagePayload({ content: 'first' }));
    discord.dispatchMessage(messagePayload({ content: 'second' }));
    await waitFor('both delivered', () => attempts.includes('second'));
    expect(attempts).toEqual(['first', 'first', 'first', 'second']);
    expect(warnings(records).filter((msg) => msg.includes('retrying'))).toHaveLength(2);
  });

  it('drops a message after the last attempt with an error log, and goes on', async () => {
    const delivered: string[] = [];
    const { discord, records } = await startAdapter(async (event) => {
      if (textOf(event) === 'poison') throw new Error('constraint violated');
      delivered.push(textOf(event));
    });
    discord.dispatchMessage(messagePayload({ content: 'poison' }));
    discord.dispatchMessage(messagePayload({ content: 'next' }));
    await waitFor('the next message', () => delivered.length === 1);
    expect(delivered).toEqual(['next']);
    const errors = records.filter((record) => record.level === 50);
    expect(errors).toMatchObject([{ attempt: 3, msg: expect.stringMatching(/dropping it/) }]);
  });

  it('holds back only the channel of a slow or failing commit; other channels go on', async () => {
    const delivered: string[] = [];
    let releaseSlow = (): void => {};
    const slowCommit = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const { discord, records } = await startAdapter(
      async (event) => {
        if (textOf(event) === 'slow in general') await slowCommit;
        // The thread's database is "down" until the DM went through.
        if (textOf(event) === 'failing in the thread' && !delivered.includes('in private')) {
          throw new Error('database down');
        }
        delivered.push(textOf(event));
        if (textOf(event) === 'in private') releaseSlow();
      },
      { ingressRetry: { attempts: 1_000, initialDelayMs: 5, maxDelayMs: 10 } },
    );
    discord.dispatchMessage(messagePayload({ content: 'slow in general' }));
    discord.dispatchMessage(messagePayload({ content: 'then general' }));
    discord.dispatchMessage(
      messagePayload({ content: 'failing in the thread', channelId: CHANNELS.thread.id }),
    );
    discord.dispatchMessage(messagePayload({ content: 'in private', channelId: CHANNELS.dm.id }));
    // Were all channels one queue, the DM would wait behind the slow commit forever.
    await waitFor('all four messages', () => delivered.length === 4);
    const at = (text: string) => delivered.indexOf(text);
    expect(at('in private')).toBeLessThan(at('slow in general'));
    expect(at('in private')).toBeLessThan(at('failing in the thread'));
    // Within a channel the order still holds.
    expect(at('slow in general')).toBeLessThan(at('then general'));
    expect(warnings(records).some((msg) => msg.includes('retrying'))).toBe(true);
  });

  it('skips malformed messages and unsupported channels with a warning', async () => {
    const { discord, adapter, events, records } = await startAdapter();
    await expect(adapter.handleUpdate({ t: 'MESSAGE_CREATE', d: { id: 'x' } })).resolves.toBe(
      undefined,
    );
    const noAuthor: Record<string, unknown> = messagePayload({ id: '1400000000000000501' });
    delete noAuthor.author;
    discord.dispatchMessage(noAuthor);
    discord.dispatchMessage(
      messagePayload({ id: '1400000000000000502', channelId: CHANNELS.voice.id }),
    );
    discord.dispatchMessage(
      messagePayload({
        id: '1400000000000000503',
        channelId: '1300000000000000999',
        extra: { guild_id: GUILD.id, channel_type: 13 },
      }),
    );
    discord.dispatchMessage(messagePayload({ content: 'fine' }));
    await waitFor('the valid message', () => events.length === 1);
    expect(textOf(events[0])).toBe('fine');
    expect(warnings(records)).toEqual([
      expect.stringMatching(/malformed discord dispatch: .*id is missing or not a snowflake/),
      expect.stringMatching(/malformed discord dispatch 1400000000000000501: .*author is missing/),
      expect.stringMatching(/1400000000000000502: unsupported channel type 2 \(voice\)/),
      expect.stringMatching(/1400000000000000503: unsupported channel type 13 \(stage\)/),
    ]);
  });
});

describe('DiscordAdapter.sendText against the fake Discord REST API', () => {
  it('defuses @everyone, allows no mentions and replies without failing on a deleted message', async () => {
    const { discord, adapter } = await startAdapter();
    const replyTo = '1400000000000000321';
    const id = await adapter.sendText(threadJid, 'Done, @everyone! `@here` stays', { replyTo });
    expect(discord.sent).toHaveLength(1);
    expect(discord.sent[0]).toMatchObject({
      id,
      channelId: CHANNELS.thread.id,
      content: `Done, @${ZWSP}everyone! \`@here\` stays`,
      allowed_mentions: { parse: [], replied_user: false },
      message_reference: { message_id: replyTo, fail_if_not_exists: false },
      flags: 4, // SUPPRESS_EMBEDS
    });
  });

  it('sends 2000 characters intact, and a full-length chunk with @everyone still fits', async () => {
    const { discord, adapter } = await startAdapter();
    const plain = 'x'.repeat(2000);
    await adapter.sendText(textJid, plain, { replyTo: null });
    await adapter.sendText(textJid, `@everyone ${'y'.repeat(1990)}`, { replyTo: null });
    expect(discord.sent.map((message) => message.content.length)).toEqual([2000, 2000]);
    expect(discord.sent[0]?.content).toBe(plain);
    expect(discord.sent[1]?.content.startsWith('\uff20everyone')).toBe(true);
    expect(discord.sent[0]?.message_reference).toBeUndefined();
  });

  it('waits out a short 429 and throws PlatformRateLimitError on a long one', async () => {
    const { discord, adapter } = await startAdapter(undefined, { maxRateLimitWaitMs: 2_000 });
    discord.rateLimitNext(0.2);
    await expect(adapter.sendText(textJid, 'patient', { replyTo: null })).resolves.toMatch(/^\d+$/);
    const posts = () => discord.requests.filter((request) => request.method === 'POST');
    expect(posts().map((request) => request.status)).toEqual([429, 200]);

    discord.rateLimitNext(30);
    const error = await adapter.sendText(textJid, 'hurried', { replyTo: null }).catch((e) => e);
    expect(error).toBeInstanceOf(PlatformRateLimitError);
    expect((error as PlatformRateLimitError).retryAfterMs).toBeGreaterThanOrEqual(30_000);
    expect(discord.sent.map((message) => message.content)).toEqual(['patient']);
  });

  it('creates one message for a send retried with the same key (a crash between sending and recording)', async () => {
    const { discord, adapter } = await startAdapter();
    const options = { replyTo: null, idempotencyKey: '1k.0.mfx3a9q2' };
    const first = await adapter.sendText(textJid, 'once only', options);
    const again = await adapter.sendText(textJid, 'once only', options);
    expect(again).toBe(first);
    expect(discord.sent.map((message) => message.content)).toEqual(['once only']);
    expect(discord.sent[0]?.body).toMatchObject({ nonce: '1k.0.mfx3a9q2', enforce_nonce: true });
    // Another chunk (another key) is another message.
    await adapter.sendText(textJid, 'once only', { ...options, idempotencyKey: '1k.1.mfx3a9q2' });
    expect(discord.sent).toHaveLength(2);
  });

  it('refuses JIDs of other channels and sending after stop', async () => {
    const { adapter } = await startAdapter();
    await expect(adapter.sendText(asJid('telegram:-100'), 'hi', { replyTo: null })).rejects.toThrow(
      /not a discord JID/,
    );
    await adapter.stop();
    await expect(adapter.sendText(textJid, 'hi', { replyTo: null })).rejects.toThrow(/stopped/);
  });
});

describe('DiscordAdapter configuration errors', () => {
  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['missing', undefined as unknown as string],
  ])('refuses a %s token in the constructor', (_name, token) => {
    expect(() => new DiscordAdapter({ token, logger: captureLogger().logger })).toThrow(
      /Discord bot token is missing or empty/,
    );
  });

  it('fails start() clearly on a wrong token, without printing it', async () => {
    const discord = await startFakeDiscord({ token: TOKEN });
    fake = discord;
    const wrong = 'MTEw.wrong.secret-value';
    adapter = new DiscordAdapter({
      token: wrong,
      apiBase: discord.apiBase,
      logger: captureLogger().logger,
    });
    const error = await adapter.start(async () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GridBotError);
    expect(String((error as Error).message)).toMatch(/Could not connect to Discord .*token/);
    expect(String((error as Error).message)).not.toContain(wrong);
    await expect(adapter.stop()).resolves.toBeUndefined();
  });

  it('fails start() with the fix when the gateway refuses the intents', async () => {
    const discord = await startFakeDiscord({ token: TOKEN, identifyCloseCode: 4014 });
    fake = discord;
    adapter = new DiscordAdapter({
      token: TOKEN,
      apiBase: discord.apiBase,
      logger: captureLogger().logger,
    });
    await expect(adapter.start(async () => {})).rejects.toThrow(
      /code 4014 .*enable the Message Content intent/,
    );
  });
});
