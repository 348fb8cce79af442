import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, CHANNELS, messagePayload } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { startFakeOpenAi } from './support/fake-openai.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { waitFor } from './support/wait-for.ts';

/** `/config` and `/status` over Discord: the same commands, the same rules, another platform. */
const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-gridbot-tests';
const TEXT = CHANNELS.text.id;

let h: PipelineHarness;
let discord: FakeDiscord;
let llm: FakeLlmServer;

beforeAll(async () => {
  h = await PipelineHarness.create();
  discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1_000 });
  llm = await startFakeOpenAi([{ text: 'ok', usage: { input: 3, output: 2 } }]);
  await registerThread(h.db.db, { jid: `discord:${TEXT}`, title: 'general' });
  await h.start(['gateway', '--channel', 'discord'], {
    DISCORD_BOT_TOKEN: TOKEN,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_ADMIN_USERS: ALICE.id,
  });
  await h.start(['worker'], {
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-discord',
    OPENAI_API_KEY: 'sk-test-discord',
    OPENAI_BASE_URL: llm.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await discord?.close();
  await llm?.close();
});

const sentTo = (channelId: string) => discord.sent.filter((m) => m.channelId === channelId);

async function say(content: string, author = ALICE, channelId: string = TEXT): Promise<string> {
  const before = sentTo(channelId).length;
  discord.dispatchMessage(messagePayload({ content, author, channelId }));
  return waitFor(
    `an answer to ${JSON.stringify(content)}`,
    () => sentTo(channelId).length > before && sentTo(channelId)[before]!.content,
    20_000,
  );
}

describe('settings over Discord', () => {
  it('an admin sets the temperature and the next model call carries it; others are refused', async () => {
    expect(await say('/config set temperature 0.2')).toBe('temperature is now 0.2 in this chat.');
    expect(await say('@Andy hi')).toBe('ok');
    expect(llm.requests.at(-1)!.body).toMatchObject({ model: 'gpt-discord', temperature: 0.2 });
    expect(await say('/config set temperature 1', BOB)).toContain('Only an admin can change');
    expect(await say('/defaults set verbosity loud', BOB)).toBe(
      'verbosity must be one of low, medium, high, not "loud".',
    );
  });

  it('/status names the model, the provider and the tokens used today', async () => {
    const status = await say('/status', BOB);
    expect(status).toContain('Model: gpt-discord (global) via openai');
    expect(status).toContain('Tokens today (UTC): 5 (no daily budget)');
  });

  it('answers /status in an unregistered channel with how to register it, and nothing else', async () => {
    const other = CHANNELS.thread.id;
    const status = await say('/status', ALICE, other);
    expect(status).toContain('This chat is not registered');
    expect(status).toContain('gridbot threads register discord:');
    const stored = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select('messages.id')
      .where('threads.jid', 'like', `%${other}`)
      .execute();
    expect(stored).toEqual([]);
  });
});
