import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import { CHANNELS, messagePayload } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const ANTHROPIC_KEY = 'sk-ant-typing-test-key';
const DISCORD_TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-typing-tests';
const TEXT = CHANNELS.text.id;
/** Telegram's typing state lasts 5 s; GridBot renews it every 4 s. */
const TELEGRAM_INTERVAL_MS = 4_000;
/** Discord's lasts 10 s; renewed every 8 s. */
const DISCORD_INTERVAL_MS = 8_000;
/** What a heartbeat needs to reach a gateway, and a platform call to be made. */
const LATENCY_MS = 1_000;

let h: PipelineHarness;
let llm: FakeLlmServer;
let discord: FakeDiscord;
let worker: GridbotProcess;
let nextChat = -971100;

/** "slowly": a 9 s model call; "forever": one that does not end within the test. */
function delayFor(body: Record<string, unknown>): number {
  const text = JSON.stringify(body.messages ?? []);
  if (text.includes('think forever')) return 120_000;
  if (text.includes('think slowly')) return 9_000;
  return 0;
}

beforeAll(async () => {
  h = await PipelineHarness.create();
  llm = await startFakeAnthropic((body) => ({
    text: 'Thought it through.',
    delayMs: delayFor(body),
  }));
  discord = await startFakeDiscord({ token: DISCORD_TOKEN, heartbeatIntervalMs: 1_000 });
  await registerThread(h.db.db, { jid: `discord:${TEXT}`, title: 'general' });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['gateway', '--channel', 'discord'], {
    DISCORD_BOT_TOKEN: DISCORD_TOKEN,
    DISCORD_API_BASE: discord.apiBase,
  });
  worker = await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-test',
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await discord?.close();
});

async function newChat(): Promise<ChatSpec> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'Lab',
    userId: 994,
    firstName: 'Tess',
  };
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  return chat;
}

const typingIn = (chat: ChatSpec) =>
  h.telegram.chatActions.filter((a) => a.chatId === String(chat.chatId) && a.action === 'typing');
const repliesIn = (chat: ChatSpec) => h.telegram.botMessages(chat.chatId);
const discordTyping = () =>
  discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${TEXT}/typing`);

/** The gaps between consecutive times. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

async function runningRunOf(chat: ChatSpec) {
  return waitFor(
    'the run started',
    () =>
      h.db.db
        .selectFrom('agent_runs')
        .innerJoin('threads', 'threads.id', 'agent_runs.thread_id')
        .select('agent_runs.id')
        .where('threads.jid', '=', `telegram:${chat.chatId}`)
        .where('agent_runs.status', '=', 'running')
        .executeTakeFirst(),
    20_000,
  );
}

describe('typing indicators through real gateway and worker processes', () => {
  it('shows typing at each platform’s pace while a slow run works, and stops with the reply', async () => {
    const chat = await newChat();
    const said = Date.now();
    await h.telegram.say(chat, '@Andy think slowly');
    discord.dispatchMessage(messagePayload({ content: '@Andy think slowly' }));

    const first = await waitFor('the first typing', () => typingIn(chat)[0], 5_000);
    expect(first.at - said).toBeLessThan(LATENCY_MS);
    await waitFor('the reply', () => repliesIn(chat).length > 0, 30_000);
    const repliedAt = Date.now();
    await waitFor(
      'the Discord reply',
      () => discord.sent.some((m) => m.channelId === TEXT),
      30_000,
    );

    const workedMs = repliedAt - said;
    // Telegram shows typing for 5 s after each call, Discord for 10 s: it never lapses while
    // the run works, and is not renewed much more often than the platform's pace.
    const telegram = [said, ...typingIn(chat).map((a) => a.at)];
    for (const gap of gaps(telegram)) expect(gap).toBeLessThan(5_000);
    // (the reply is seen a poll after it arrived)
    expect(repliedAt - telegram.at(-1)!).toBeLessThan(5_500);
    expect(typingIn(chat).length).toBeLessThanOrEqual(
      Math.ceil(workedMs / TELEGRAM_INTERVAL_MS) + 2,
    );
    const onDiscord = discordTyping().map((r) => r.at);
    for (const gap of gaps(onDiscord)) expect(gap).toBeLessThan(10_000);
    expect(onDiscord.length).toBeGreaterThanOrEqual(2);
    expect(onDiscord.length).toBeLessThanOrEqual(Math.ceil(workedMs / DISCORD_INTERVAL_MS) + 2);

    // One interval after the reply, nothing has renewed the typing state.
    await sleep(TELEGRAM_INTERVAL_MS + LATENCY_MS);
    expect(typingIn(chat).filter((a) => a.at > repliedAt)).toEqual([]);
  });

  it('stops showing typing once /stop cancels the run', async () => {
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy think forever');
    await runningRunOf(chat);
    await waitFor('typing during the run', () => typingIn(chat).length >= 2, 10_000);
    await h.telegram.say(chat, '/stop');
    await waitFor('the stop answered', () => repliesIn(chat).length > 0, 20_000);
    const stoppedAt = Date.now();
    await sleep(TELEGRAM_INTERVAL_MS + LATENCY_MS);
    expect(typingIn(chat).filter((a) => a.at > stoppedAt)).toEqual([]);
  });

  it('stops showing typing within one interval when the worker is killed mid-run', async () => {
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy think forever');
    await runningRunOf(chat);
    await waitFor('typing during the run', () => typingIn(chat).length >= 2, 10_000);
    worker.child.kill('SIGKILL');
    const killedAt = Date.now();
    await sleep(2 * TELEGRAM_INTERVAL_MS);
    // A heartbeat already on its way may still be shown; none comes after it.
    expect(typingIn(chat).filter((a) => a.at > killedAt + LATENCY_MS)).toEqual([]);
  });
});
