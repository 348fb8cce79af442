/**
 * An agent program that ignores the limits it is given: it keeps asking for model calls
 * after `max_steps`, and after the daily token budget is spent. The worker, not the agent,
 * ends the run: the model is not called past the limit, the chat is told in one line, and
 * the chat's next message is answered.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

let h: PipelineHarness;
let nextChat = -530900;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/misbehave.mjs`,
    AGENT_TIMEOUT_MS: '20000',
    AGENT_IDLE_MS: '0',
    MAX_TASKS_PER_THREAD: '5',
  });
});

afterAll(async () => {
  await h?.close();
});

/** A registered chat with the given thread config. */
async function chatWith(config: Record<string, unknown>): Promise<{ chat: ChatSpec; id: number }> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'limits',
    userId: 954,
    firstName: 'Mo',
  };
  const thread = await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await h.db.db
    .updateTable('threads')
    .set({ config: JSON.stringify(config) })
    .where('id', '=', thread.id)
    .execute();
  return { chat, id: thread.id };
}

async function modelCallsOf(threadId: number): Promise<number> {
  const rows = await h.db.db
    .selectFrom('token_ledger')
    .select('id')
    .where('thread_id', '=', threadId)
    .execute();
  return rows.length;
}

describe('an agent that ignores its limits', () => {
  it('gets no more than max_steps model calls; the run ends with a line that says so', async () => {
    const { chat, id } = await chatWith({ max_steps: 3 });
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:llm-forever');
    const verdict = await waitFor('the verdict', () => texts().at(-1), 30_000);
    expect(verdict).toMatch(/^Stopped: .*more than 3 model calls.*max_steps/);
    expect(await modelCallsOf(id)).toBe(3);
    await h.telegram.say(chat, '@Andy do:fine');
    await waitFor('the next answer', () => texts().includes('ok fine'), 20_000);
  });

  it('gets no model call once the daily token budget is spent during the run', async () => {
    // One call's tokens spend the budget: the second call is refused.
    const { chat, id } = await chatWith({ daily_token_budget: 1 });
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:llm-forever');
    const verdict = await waitFor('the verdict', () => texts().at(-1), 30_000);
    expect(verdict).toMatch(/^Stopped: today's token budget for this chat is spent/);
    expect(await modelCallsOf(id)).toBe(1);
  });

  it('schedules no more tasks than the cap, however many it asks for at once', async () => {
    const { chat, id } = await chatWith({});
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:task-flood');
    const verdict = await waitFor('the verdict', () => texts().at(-1), 30_000);
    expect(verdict).toBe('tasks: 5 scheduled, 995 refused');
    const tasks = await h.db.db
      .selectFrom('scheduled_tasks')
      .select('id')
      .where('thread_id', '=', id)
      .execute();
    expect(tasks).toHaveLength(5);
  });

  it("cannot send past the chat's tool policy by calling the protocol itself", async () => {
    const { chat } = await chatWith({ tools_requiring_approval: ['send_message'] });
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:send-anyway');
    const verdict = await waitFor('the verdict', () => texts().at(-1), 30_000);
    expect(verdict).toMatch(/^send refused: In this chat "send_message" needs a human's approval/);
    expect(texts()).not.toContain('sneaky message');
  });

  it('may not schedule an every-second cron outside the main thread', async () => {
    const { chat, id } = await chatWith({});
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:cron-every-second');
    const verdict = await waitFor('the verdict', () => texts().at(-1), 30_000);
    expect(verdict).toMatch(/^cron refused: .*at most once every 60 s/);
    const tasks = await h.db.db
      .selectFrom('scheduled_tasks')
      .select('id')
      .where('thread_id', '=', id)
      .execute();
    expect(tasks).toEqual([]);
  });

  it('cannot fill memory past its cap, and a memory too big for one line still lets runs start', async () => {
    const { chat, id } = await chatWith({});
    const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:memory-fill');
    const verdict = await waitFor('the verdict', () => texts().at(-1), 30_000);
    // 64 KiB by default: eight entries of 8,000 bytes.
    expect(verdict).toMatch(/^memory: 8 written, then refused: This chat's memory is full/);
    // A memory written before the cap existed (or by hand): 2.4 MB, over one protocol line.
    await h.db.db
      .insertInto('memories')
      .values(
        Array.from({ length: 300 }, (_, i) => ({
          thread_id: id,
          content: `${i} ${'o'.repeat(7_990)}`,
        })),
      )
      .execute();
    await h.telegram.say(chat, '@Andy do:memory-count');
    const seen = await waitFor(
      'the next run',
      () => texts().find((t) => t.startsWith('memory: ') && t.includes('seen')),
      30_000,
    );
    const [, entries, leftOut] = /^memory: (\d+) entries seen, (\d+) left out$/.exec(seen) ?? [];
    // Every entry is either seen or counted in the note (the note is one of those seen).
    expect(Number(entries) - 1 + Number(leftOut)).toBe(308);
    expect(Number(leftOut)).toBeGreaterThan(100);
  });

  it('has a burst of 1,000 requests served a few at a time, and the worker keeps answering', async () => {
    const { chat } = await chatWith({});
    const other = await chatWith({});
    const texts = (c: ChatSpec) => h.telegram.botMessages(c.chatId).map((m) => m.text);
    await h.telegram.say(chat, '@Andy do:request-flood');
    await h.telegram.say(other.chat, '@Andy do:meanwhile');
    const verdict = await waitFor('the verdict', () => texts(chat).at(-1), 30_000);
    const [, served, refused] = /^requests: (\d+) served, (\d+) refused$/.exec(verdict) ?? [];
    expect(Number(served) + Number(refused)).toBe(1000);
    // The session serves 16 at a time; the rest of the burst is refused as it is read.
    expect(Number(served)).toBeGreaterThanOrEqual(16);
    expect(Number(refused)).toBeGreaterThan(900);
    await waitFor(
      'the other chat answered',
      () => texts(other.chat).includes('ok meanwhile'),
      20_000,
    );
    await h.telegram.say(chat, '@Andy do:fine');
    await waitFor('the next answer', () => texts(chat).includes('ok fine'), 20_000);
  });
});
