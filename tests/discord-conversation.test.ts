import { registerThread } from '@gridbot/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  BOT_USER,
  CHANNELS,
  GUILD,
  messagePayload,
  snowflake,
} from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-gridbot-tests';
const TEXT = CHANNELS.text.id;
/** A guild text channel nobody registered. */
const UNREGISTERED = '1300000000000000099';

let h: PipelineHarness;
let discord: FakeDiscord;
let gateway: GridbotProcess;

beforeAll(async () => {
  h = await PipelineHarness.create();
  discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1_000 });
  await registerThread(h.db.db, { jid: `discord:${TEXT}`, title: 'general' });
  gateway = await h.start(['gateway', '--channel', 'discord'], {
    DISCORD_BOT_TOKEN: TOKEN,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_ALLOWED_USERS: ALICE.id,
  });
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
  await discord?.close();
});

const sentTo = (channelId: string) => discord.sent.filter((m) => m.channelId === channelId);

async function nextReplies(channelId: string, count: number) {
  return waitFor(
    `${count} replies in ${channelId}`,
    () => sentTo(channelId).length >= count && sentTo(channelId),
    20_000,
  );
}

describe('a conversation over Discord, through real gateway and worker processes', () => {
  it('answers "@Andy hi" and a <@bot> mention in a registered channel, once each, without pinging', async () => {
    discord.dispatchMessage(messagePayload({ content: '@Andy hi' }));
    const [first] = await nextReplies(TEXT, 1);
    expect(withoutTimes(first!.content)).toContain(
      '[alice] @Andy hi'.replace('alice', ALICE.global_name ?? ALICE.username),
    );
    expect(first!.allowed_mentions).toMatchObject({ parse: [] });
    discord.dispatchMessage(
      messagePayload({ content: `<@${BOT_USER.id}> are you there?`, mentions: [BOT_USER] }),
    );
    const replies = await nextReplies(TEXT, 2);
    expect(replies[1]!.content).toContain('are you there?');
    discord.dispatchMessage(messagePayload({ content: '@Andy third' }));
    const three = await nextReplies(TEXT, 3);
    expect(three[2]!.content).toContain('third');
    expect(sentTo(TEXT)).toHaveLength(3);
  });

  it('does not answer an unregistered channel and keeps none of its text', async () => {
    discord.dispatchMessage(
      messagePayload({
        content: '@Andy secret discord plans',
        channelId: UNREGISTERED,
        extra: { guild_id: GUILD.id },
      }),
    );
    // Ingress records the chat (unregistered) when it has handled the event.
    const thread = await waitFor(
      'the event handled',
      () =>
        h.db.db
          .selectFrom('threads')
          .selectAll()
          .where('jid', '=', `discord:${UNREGISTERED}`)
          .executeTakeFirst(),
      20_000,
    );
    expect(sentTo(UNREGISTERED)).toEqual([]);
    expect(thread?.registered).toBe(false);
    const stored = await h.db.db
      .selectFrom('messages')
      .select('id')
      .where('content', 'like', '%secret discord%')
      .execute();
    expect(stored).toEqual([]);
  });

  it('answers a direct message from an allowed user without a trigger', async () => {
    discord.dispatchMessage(
      messagePayload({ content: 'hello in private', channelId: CHANNELS.dm.id }),
    );
    const [reply] = await nextReplies(CHANNELS.dm.id, 1);
    expect(reply!.content).toContain('hello in private');
  });

  it('splits a 5,000-character reply with a code block into chunks of at most 2000 that each render', async () => {
    const code = Array.from({ length: 230 }, (_, i) => `const value${i} = ${i};`).join('\n');
    const before = sentTo(TEXT).length;
    discord.dispatchMessage(
      messagePayload({ content: `@Andy here:\n\`\`\`ts\n${code}\n\`\`\`\ndone` }),
    );
    const chunks = await waitFor('the chunks', () => {
      const all = sentTo(TEXT).slice(before);
      return all.some((m) => m.content.includes('done')) && all;
    });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(chunk.content.length).toBeLessThanOrEqual(2000);
      expect(
        chunk.content.split('\n').filter((l) => l.trimStart().startsWith('```')).length % 2,
      ).toBe(0);
    }
    const lines = chunks
      .flatMap((c) => c.content.split('\n'))
      .filter((l) => l.startsWith('const value'));
    expect(lines).toEqual(code.split('\n'));
  });

  it('never pings @everyone', async () => {
    const before = sentTo(TEXT).length;
    discord.dispatchMessage(
      messagePayload({ content: '@Andy tell @everyone and @here hi', author: BOB }),
    );
    const replies = await nextReplies(TEXT, before + 1);
    const text = replies.at(-1)!.content;
    expect(text).not.toMatch(/@everyone|@here/);
    expect(text).toMatch(/@\u200beveryone|＠everyone/);
    expect(replies.at(-1)!.allowed_mentions).toMatchObject({ parse: [] });
  });

  it('stores and answers a MESSAGE_CREATE delivered twice (a resume replay) once', async () => {
    const before = sentTo(TEXT).length;
    const payload = messagePayload({ id: snowflake(), content: '@Andy only once please' });
    discord.dispatchMessage(payload);
    await nextReplies(TEXT, before + 1);
    discord.dispatchMessage(payload);
    // A chat's events are handled in order: the next one's reply comes once the repeat was.
    discord.dispatchMessage(messagePayload({ id: snowflake(), content: '@Andy and the next one' }));
    const all = await nextReplies(TEXT, before + 2);
    expect(all.at(-1)!.content).toContain('and the next one');
    expect(sentTo(TEXT)).toHaveLength(before + 2);
    const stored = await h.db.db
      .selectFrom('messages')
      .select('id')
      .where('content', '=', '@Andy only once please')
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('answers the next message after the WebSocket was dropped', async () => {
    const before = sentTo(TEXT).length;
    const resumes = discord.gateway.resumes;
    discord.dropConnection();
    discord.dispatchMessage(messagePayload({ content: '@Andy still with me?' }));
    const replies = await nextReplies(TEXT, before + 1);
    expect(replies.at(-1)!.content).toContain('still with me?');
    expect(discord.gateway.resumes).toBeGreaterThan(resumes);
  });

  it('skips a MESSAGE_CREATE with missing fields or an unknown channel type, and keeps answering', async () => {
    const before = sentTo(TEXT).length;
    discord.dispatchMessage({ id: snowflake(), content: '@Andy no author or channel' });
    discord.dispatchMessage(
      messagePayload({ content: '@Andy in voice', channelId: CHANNELS.voice.id }),
    );
    discord.dispatchMessage(messagePayload({ content: '@Andy after the bad ones' }));
    const replies = await nextReplies(TEXT, before + 1);
    expect(replies.at(-1)!.content).toContain('after the bad ones');
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.output()).not.toContain(TOKEN);
  });

  it("answers /help and unknown commands named to it, and leaves another bot's alone", async () => {
    const before = sentTo(TEXT).length;
    discord.dispatchMessage(messagePayload({ content: '/help@gridbot' }));
    discord.dispatchMessage(messagePayload({ content: '/frobnicate@gridbot' }));
    discord.dispatchMessage(messagePayload({ content: '/help@otherbot' }));
    discord.dispatchMessage(messagePayload({ content: '@Andy after the commands' }));
    const replies = (await nextReplies(TEXT, before + 3)).slice(before).map((m) => m.content);
    expect(replies[0]).toContain('/stop — cancels the run in progress here');
    expect(replies[1]).toBe('Unknown command /frobnicate; see /help for the commands here.');
    // Replies leave in order: an answer to /help@otherbot would have come before this one.
    expect(replies[2]).toContain('after the commands');
  });

  it('sends /history export jsonl as an attachment whose lines are the stored messages', async () => {
    const before = sentTo(TEXT).length;
    discord.dispatchMessage(messagePayload({ content: '/history export jsonl' }));
    const replies = await nextReplies(TEXT, before + 1);
    const [file] = replies.at(-1)!.attachments;
    expect(file).toMatchObject({ field: 'files[0]', contentType: 'application/x-ndjson' });
    expect(file!.filename).toMatch(/^history-discord_\d+-\d{4}-\d{2}-\d{2}\.jsonl$/);
    expect(replies.at(-1)!.content).toMatch(/^History of this chat: \d+ messages, /);
    expect(replies.at(-1)!.allowed_mentions).toMatchObject({ parse: [] });
    const stored = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select(['messages.id', 'messages.content', 'messages.sender_name', 'messages.role'])
      .where('threads.jid', '=', `discord:${TEXT}`)
      .orderBy('messages.id')
      .execute();
    expect(stored.length).toBeGreaterThan(2);
    const lines = file!.content
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map(({ id, text, sender, role }) => ({ id, text, sender, role }))).toEqual(
      stored.map((m) => ({ id: m.id, text: m.content, sender: m.sender_name, role: m.role })),
    );
  });

  it('refuses an export over the 10 MB a bot may upload to Discord, saying so', async () => {
    const thread = await h.db.db
      .selectFrom('threads')
      .select('id')
      .where('jid', '=', `discord:${TEXT}`)
      .executeTakeFirstOrThrow();
    // About 11 MB of history, inserted directly.
    await sql`insert into messages (thread_id, platform_message_id, sender_name, role, content, sent_at, metadata)
      select ${thread.id}, 'big-' || n, 'Dora', 'user', repeat('lorem ipsum ', 8500), now(), '{}'::jsonb
      from generate_series(1, 110) n`.execute(h.db.db);
    const before = sentTo(TEXT).length;
    discord.dispatchMessage(messagePayload({ content: '/history export' }));
    const replies = await nextReplies(TEXT, before + 1);
    expect(replies.at(-1)!.attachments).toEqual([]);
    expect(replies.at(-1)!.content).toMatch(
      /^This chat's history is 1\d\.\d MB as md, more than the 10\.0 MB a file sent here may have, so it was not sent\./,
    );
  });

  it('refuses to start without DISCORD_BOT_TOKEN, naming it', async () => {
    const result = await h.cli(['gateway', '--channel', 'discord'], { DISCORD_BOT_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('DISCORD_BOT_TOKEN is not set');
  });
});
