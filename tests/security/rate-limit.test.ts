/**
 * One person floods a group with messages addressing the assistant. At most the limit
 * (10 a minute by default) start runs; every message is kept, the person is told once, and
 * the next run after the minute sees everything that was kept as context.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  // The production default: no USER_TRIGGERS_PER_MINUTE.
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/misbehave.mjs`,
    AGENT_IDLE_MS: '0',
  });
});

afterAll(async () => {
  await h?.close();
});

describe('a person sending 50 messages in a minute', () => {
  it('starts at most 10 runs, loses none of them, and is told once', async () => {
    const chat: ChatSpec = {
      chatId: -531700,
      type: 'group',
      title: 'flood',
      userId: 977,
      firstName: 'Flo',
    };
    const thread = await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
    const bot = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
    for (let i = 1; i <= 50; i++) await h.telegram.say(chat, `@Andy message ${i}`);

    const messages = () =>
      h.db.db
        .selectFrom('messages')
        .select(['id', 'triggers'])
        .where('thread_id', '=', thread.id)
        .where('role', '=', 'user')
        .orderBy('id')
        .execute();
    const stored = await waitFor('all 50 stored', async () => {
      const rows = await messages();
      return rows.length === 50 && rows;
    });
    expect(stored.filter((m) => m.triggers)).toHaveLength(10);
    const lastTrigger = stored.filter((m) => m.triggers).at(-1)!.id;
    await waitFor('the triggered runs done', async () => {
      const t = await h.db.db
        .selectFrom('threads')
        .select('cursor')
        .where('id', '=', thread.id)
        .executeTakeFirstOrThrow();
      const running = await h.db.db
        .selectFrom('agent_runs')
        .select('id')
        .where('thread_id', '=', thread.id)
        .where('status', '=', 'running')
        .execute();
      return t.cursor >= lastTrigger && running.length === 0;
    });
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select('id')
      .where('thread_id', '=', thread.id)
      .execute();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(10);
    expect(bot().filter((t) => t.includes('faster than I answer'))).toEqual([
      'You are sending messages faster than I answer them (at most 10 a minute here). I keep reading them, and answer again from the next minute.',
    ]);

    // A minute later (the window moved by hand), the next message is answered with
    // everything that was kept as context since the last run.
    await h.db.db
      .updateTable('messages')
      .set({ created_at: new Date(Date.now() - 61_000) })
      .where('thread_id', '=', thread.id)
      .execute();
    const { cursor } = await h.db.db
      .selectFrom('threads')
      .select('cursor')
      .where('id', '=', thread.id)
      .executeTakeFirstOrThrow();
    const unanswered = stored.filter((m) => m.id > cursor).length;
    await h.telegram.say(chat, '@Andy do:count');
    await waitFor(
      'the next answer',
      () => bot().includes(`saw ${unanswered + 1} new messages`),
      20_000,
    );
  });
});
