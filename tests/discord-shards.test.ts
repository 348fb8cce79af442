/**
 * A Discord bot sharded over two gateway replicas (`DISCORD_SHARD_COUNT=2`): each connects
 * its own shard, Discord sends each guild's events to one of them, and killing one leaves
 * the other's guilds answered.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, CHANNELS, messagePayload } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-shard-tests';
/** GUILD's channel: shard 1 of 2. */
const TEA = CHANNELS.text.id;
/** SECOND_GUILD's channel: shard 0 of 2 (as are direct messages). */
const BOOKS = CHANNELS.books.id;
const DM = CHANNELS.dm.id;

let h: PipelineHarness;
let discord: FakeDiscord;
let shardOne: GridbotProcess;

const env = (extra: Record<string, string>) => ({
  DISCORD_BOT_TOKEN: TOKEN,
  DISCORD_API_BASE: discord.apiBase,
  DISCORD_ALLOWED_USERS: ALICE.id,
  DISCORD_SHARD_COUNT: '2',
  ...extra,
});

beforeAll(async () => {
  h = await PipelineHarness.create();
  discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1_000 });
  await registerThread(h.db.db, { jid: `discord:${TEA}`, title: 'general' });
  await registerThread(h.db.db, { jid: `discord:${BOOKS}`, title: 'books' });
  await h.start(['worker']);
  await h.start(['gateway', '--channel', 'discord'], env({ DISCORD_SHARD_ID: '0' }));
  // The second replica takes its shard from its StatefulSet pod name.
  shardOne = await h.start(
    ['gateway', '--channel', 'discord'],
    env({ HOSTNAME: 'gridbot-gateway-discord-1' }),
  );
});

afterAll(async () => {
  await h?.close();
  await discord?.close();
});

const repliesIn = (channelId: string) => discord.sent.filter((m) => m.channelId === channelId);

async function answered(channelId: string, text: string) {
  return waitFor(
    `the answer to "${text}"`,
    () => repliesIn(channelId).find((m) => withoutTimes(m.content).includes(text)),
    20_000,
  );
}

describe('Discord shards across gateway replicas', () => {
  it('connects one shard per replica, and each guild’s messages (and DMs on shard 0) are answered once', async () => {
    await waitFor('both shards connected', () => discord.gateway.liveShards.length === 2, 20_000);
    expect(discord.gateway.liveShards.sort()).toEqual([0, 1]);
    const shards = discord.gateway.identifies.map((identify) => identify.shard);
    expect(shards).toEqual(
      expect.arrayContaining([
        [0, 2],
        [1, 2],
      ]),
    );

    discord.dispatchMessage(messagePayload({ content: '@Andy tea?', channelId: TEA }));
    discord.dispatchMessage(messagePayload({ content: '@Andy books?', channelId: BOOKS }));
    discord.dispatchMessage(messagePayload({ content: 'a direct word', channelId: DM }));
    await answered(TEA, '@Andy tea?');
    await answered(BOOKS, '@Andy books?');
    await answered(DM, 'a direct word');
    // A later message's answer in each channel: the first ones were not answered twice.
    discord.dispatchMessage(messagePayload({ content: '@Andy more tea', channelId: TEA }));
    discord.dispatchMessage(messagePayload({ content: '@Andy more books', channelId: BOOKS }));
    await answered(TEA, '@Andy more tea');
    await answered(BOOKS, '@Andy more books');
    expect(repliesIn(TEA).filter((m) => m.content.includes('@Andy tea?'))).toHaveLength(1);
    expect(repliesIn(BOOKS).filter((m) => m.content.includes('@Andy books?'))).toHaveLength(1);
  });

  it('keeps answering the other shard’s guilds when one replica dies, and the restarted one takes its shard back', async () => {
    shardOne.child.kill('SIGKILL');
    await waitFor('shard 1 gone', () => !discord.gateway.liveShards.includes(1), 10_000);
    discord.dispatchMessage(messagePayload({ content: '@Andy still here?', channelId: BOOKS }));
    await answered(BOOKS, '@Andy still here?');

    await h.start(['gateway', '--channel', 'discord'], env({ DISCORD_SHARD_ID: '1' }));
    await waitFor('shard 1 back', () => discord.gateway.liveShards.includes(1), 20_000);
    discord.dispatchMessage(messagePayload({ content: '@Andy tea again', channelId: TEA }));
    await answered(TEA, '@Andy tea again');
  });
});
