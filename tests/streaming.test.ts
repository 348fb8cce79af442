/**
 * Streamed replies through real dashboard (web chat) and worker processes: a fake model
 * that streams its answer token by token, and the web chat's event stream as the page
 * reads it.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import { CHANNELS, messagePayload } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';
import { watchWebChat } from './support/web-chat-events.ts';

/** 20 tokens over 2 s. */
const ANSWER = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
const TOKEN_INTERVAL_MS = 100;

const PRIVATE: ChatSpec = { chatId: 4242, type: 'private', userId: 4242, firstName: 'Pia' };
const GROUP: ChatSpec = {
  chatId: -4343,
  type: 'group',
  title: 'Team',
  userId: 4343,
  firstName: 'Gus',
};

const DISCORD_TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-streaming-tests';

let h: PipelineHarness;
let worker: GridbotProcess;
let discord: FakeDiscord;
let llm: FakeLlmServer;
let dashboard: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  // The gateways stream as they do by default (STREAM_REPLIES=auto).
  // "slowly": 20 tokens over 6 s, time to kill a worker mid-stream.
  llm = await startFakeAnthropic((body) => ({
    text: ANSWER,
    tokenIntervalMs: JSON.stringify(body).includes('slowly') ? 300 : TOKEN_INTERVAL_MS,
  }));
  const port = String(await freePort());
  await h.start(['dashboard'], { HEALTH_PORT: port });
  await h.start(['gateway', '--channel', 'telegram'], {
    TELEGRAM_ALLOWED_USERS: String(PRIVATE.userId),
  });
  dashboard = `http://127.0.0.1:${port}`;
  await registerThread(h.db.db, { jid: `telegram:${GROUP.chatId}` });
  await registerThread(h.db.db, { jid: `discord:${CHANNELS.text.id}` });
  discord = await startFakeDiscord({ token: DISCORD_TOKEN, heartbeatIntervalMs: 1_000 });
  await h.start(['gateway', '--channel', 'discord'], {
    DISCORD_BOT_TOKEN: DISCORD_TOKEN,
    DISCORD_API_BASE: discord.apiBase,
  });
  worker = await startWorker();
  // Rescues the threads of a worker that died.
  await h.start(['scheduler']);
});

function startWorker(): Promise<GridbotProcess> {
  return h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-test',
    ANTHROPIC_API_KEY: 'sk-ant-streaming-test',
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
}

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await discord?.close();
});

const watch = (chatId: string) => watchWebChat(dashboard, chatId);

async function say(chatId: string, text: string): Promise<void> {
  const response = await fetch(`${dashboard}/api/chat/${chatId}/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ text }),
  });
  await response.arrayBuffer();
  expect(response.status).toBe(202);
}

describe('streamed replies in the web chat', () => {
  it('shows the reply growing as the model writes it, then the final reply once', async () => {
    const live = await watch('streaming');
    try {
      await say('streaming', 'tell me twenty words');
      const reply = await waitFor(
        'the final reply',
        () => live.events.find((e) => e.event === 'reply'),
        30_000,
      );
      await waitFor('the draft taken away', () =>
        live.events.some((e) => e.event === 'draft' && e.data.draft === null),
      );
      expect(reply.data.text).toBe(ANSWER);
      const drafts = live.events
        .filter((e) => e.event === 'draft' && typeof e.data.draft === 'string')
        .map((e) => ({ text: String(e.data.draft), at: e.at }));
      // 2 s of tokens, at most one draft a second: a few partial texts, each a prefix of the reply.
      expect(drafts.length).toBeGreaterThanOrEqual(2);
      for (const draft of drafts) expect(ANSWER.startsWith(draft.text.trimEnd())).toBe(true);
      expect(drafts[0]!.text.length).toBeLessThan(ANSWER.length);
      expect(drafts[0]!.at).toBeLessThan(reply.at);
      const lengths = drafts.map((d) => d.text.length);
      expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
      // One final reply, and nothing after the draft ended.
      expect(live.events.filter((e) => e.event === 'reply')).toHaveLength(1);
    } finally {
      live.close();
    }
  });

  it('previews the reply in a Telegram private chat with sendMessageDraft, then sends it once', async () => {
    await h.telegram.say(PRIVATE, 'tell me twenty words');
    const [final] = await waitFor(
      'the final message',
      () => {
        const sent = h.telegram.botMessages(PRIVATE.chatId);
        return sent.length > 0 && sent;
      },
      30_000,
    );
    const sentAt = Date.now();
    expect(final!.text).toBe(ANSWER);
    const drafts = h.telegram.drafts.filter((d) => d.chatId === String(PRIVATE.chatId));
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    for (const draft of drafts) expect(ANSWER.startsWith(draft.text.trimEnd())).toBe(true);
    expect(new Set(drafts.map((d) => d.draftId)).size).toBe(1);
    expect(drafts.every((d) => d.at <= sentAt)).toBe(true);
    // The final message is the only message: drafts are previews, not messages.
    await h.telegram.say(PRIVATE, 'and again');
    await waitFor(
      'the second reply',
      () => h.telegram.botMessages(PRIVATE.chatId).length >= 2,
      30_000,
    );
    expect(h.telegram.botMessages(PRIVATE.chatId).map((m) => m.text)).toEqual([ANSWER, ANSWER]);
  });

  it('drafts a Telegram group’s reply in one placeholder message, edited until it is the reply', async () => {
    await h.telegram.say(GROUP, '@Andy tell me twenty words');
    await waitFor(
      'the reply in place',
      () => h.telegram.botMessages(GROUP.chatId).some((m) => m.text === ANSWER),
      30_000,
    );
    const [message, ...others] = h.telegram.botMessages(GROUP.chatId);
    expect(others).toEqual([]);
    const edits = h.telegram.edits.filter((e) => e.messageId === message!.messageId);
    // Drafts (with " …"), then the reply itself as the last edit.
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.at(-1)!.text).toBe(ANSWER);
    for (const draft of edits.slice(0, -1))
      expect(ANSWER.startsWith(draft.text.replace(/ …$/, '').trimEnd())).toBe(true);
    // The next reply is a placeholder of its own, never an edit of the first.
    await h.telegram.say(GROUP, '@Andy once more');
    await waitFor(
      'the second reply',
      () => h.telegram.botMessages(GROUP.chatId).filter((m) => m.text === ANSWER).length === 2,
      30_000,
    );
    expect(h.telegram.botMessages(GROUP.chatId).map((m) => m.text)).toEqual([ANSWER, ANSWER]);
  });

  it('drafts a Discord reply in one placeholder message, edited until it is the reply', async () => {
    discord.dispatchMessage(messagePayload({ content: '@Andy tell me twenty words' }));
    const [message] = await waitFor(
      'the reply in place',
      () => {
        const sent = discord.sent.filter((m) => m.channelId === CHANNELS.text.id);
        return sent.some((m) => m.content === ANSWER) && sent;
      },
      30_000,
    );
    expect(discord.sent.filter((m) => m.channelId === CHANNELS.text.id)).toHaveLength(1);
    expect(message!.edits.length).toBeGreaterThanOrEqual(2);
    expect(message!.edits.at(-1)).toBe(ANSWER);
    expect(message!.content.startsWith('word0')).toBe(true);
    expect(message!.allowed_mentions).toMatchObject({ parse: [] });
  });

  it('sends the final reply once when the worker is killed mid-stream', async () => {
    const live = await watch('killed');
    try {
      await say('killed', 'stream slowly please');
      await waitFor(
        'a draft',
        () => live.events.some((e) => e.event === 'draft' && e.data.draft),
        20_000,
      );
      worker.child.kill('SIGKILL');
      await registerThread(h.db.db, { jid: `telegram:${GROUP.chatId}` });
      await registerThread(h.db.db, { jid: `discord:${CHANNELS.text.id}` });
      discord = await startFakeDiscord({ token: DISCORD_TOKEN, heartbeatIntervalMs: 1_000 });
      await h.start(['gateway', '--channel', 'discord'], {
        DISCORD_BOT_TOKEN: DISCORD_TOKEN,
        DISCORD_API_BASE: discord.apiBase,
      });
      worker = await startWorker();
      const reply = await waitFor(
        'the final reply',
        () => live.events.find((e) => e.event === 'reply'),
        60_000,
      );
      expect(reply.data.text).toBe(ANSWER);
      // A reply to a later message comes after any second reply to the first would have.
      await say('killed', 'and one more');
      await waitFor(
        'the second reply',
        () => live.events.filter((e) => e.event === 'reply').length >= 2,
        60_000,
      );
      const replies = live.events.filter((e) => e.event === 'reply').map((e) => e.data.text);
      expect(replies).toEqual([ANSWER, ANSWER]);
    } finally {
      live.close();
    }
  }, 120_000);
});
