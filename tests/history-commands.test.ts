import { registerThread } from '@gridbot/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlmServer, startFakeOpenAi } from './support/fake-openai.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * `/reset`, `/history search|export` and `/stats` through the Telegram emulator, a real
 * gateway and worker, and the real OpenAI SDK against a fake model that records what it
 * was sent.
 */
const group: ChatSpec = {
  chatId: -100161,
  type: 'supergroup',
  title: 'History',
  userId: 601,
  firstName: 'Alice',
};
const other: ChatSpec = {
  chatId: -100162,
  type: 'supergroup',
  title: 'Elsewhere',
  userId: 602,
  firstName: 'Bob',
};
/** A group member who is not an admin. */
const member: ChatSpec = { ...group, userId: 603, firstName: 'Carol' };
const ADMIN = String(group.userId);

let h: PipelineHarness;
let llm: FakeLlmServer;

beforeAll(async () => {
  h = await PipelineHarness.create();
  llm = await startFakeOpenAi((_body, index) => ({
    text: `answer ${index + 1}`,
    usage: { input: 1_000, output: 100 },
  }));
  for (const chat of [group, other])
    await registerThread(h.db.db, { jid: `telegram:${chat.chatId}`, title: chat.title ?? null });
  await h.start(['gateway', '--channel', 'telegram'], { TELEGRAM_ADMIN_USERS: ADMIN });
  await h.start(['worker'], {
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-4o',
    OPENAI_API_KEY: 'sk-test-history',
    OPENAI_BASE_URL: llm.baseURL,
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await llm?.close();
});

/** The bot's messages as the person reads them: sent as Telegram HTML, entities decoded. */
const botMessages = (chat: ChatSpec) =>
  h.telegram.botMessages(chat.chatId).map((m) => ({
    ...m,
    text: m.text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'),
  }));

/** Says `text` and resolves with the bot's next message in that chat. */
async function ask(chat: ChatSpec, text: string) {
  const before = botMessages(chat).length;
  await h.telegram.say(chat, text);
  return waitFor(
    `an answer to ${JSON.stringify(text)}`,
    () => botMessages(chat).length > before && botMessages(chat)[before],
    30_000,
  );
}

/** Everything the model was sent in its latest request. */
const lastRequest = () => JSON.stringify(llm.requests.at(-1)?.body.messages);

async function threadId(chat: ChatSpec): Promise<number> {
  const row = await h.db.db
    .selectFrom('threads')
    .select('id')
    .where('jid', '=', `telegram:${chat.chatId}`)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('/reset', () => {
  it('makes the next run carry no older history, and keeps the messages stored', async () => {
    expect((await ask(group, '@Andy the password is swordfish')).text).toBe('answer 1');
    await ask(group, '@Andy and the door code is 4711');
    expect(lastRequest()).toContain('swordfish');
    // Said without addressing the assistant: no run has seen it yet.
    await h.telegram.say(group, 'the key is under the mat');

    const reset = await ask(group, '/reset');
    expect(reset.text).toContain('Fresh start');
    expect(reset.text).toContain('/history search');
    await ask(group, '@Andy what is the password?');
    const sent = lastRequest();
    expect(sent).toContain('what is the password?');
    expect(sent).not.toContain('swordfish');
    expect(sent).not.toContain('4711');
    expect(sent).not.toContain('under the mat');
    expect(sent).not.toContain('answer 1');

    const stored = await h.db.db
      .selectFrom('messages')
      .select('content')
      .where('thread_id', '=', await threadId(group))
      .where('content', 'like', '%swordfish%')
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('clears the memory with /reset memory for an admin only, and keeps it on /reset', async () => {
    const id = await threadId(group);
    await h.db.db
      .insertInto('memories')
      .values({ thread_id: id, content: 'The dog is called Rex' })
      .execute();
    await ask(group, '/reset');
    await ask(group, '@Andy what is the dog called?');
    expect(lastRequest()).toContain('Rex');

    const refused = await ask(member, '/reset memory');
    expect(refused.text).toContain('Only an admin can clear the memory of a group');
    const bad = await ask(group, '/reset everything');
    expect(bad.text).toContain('Usage: /reset');

    const cleared = await ask(group, '/reset memory');
    expect(cleared.text).toContain('forgot the 1 thing I remembered here');
    await ask(group, '@Andy and now?');
    expect(lastRequest()).not.toContain('Rex');
    const audit = await h.db.db
      .selectFrom('audit_log')
      .select(['actor', 'action'])
      .where('action', '=', 'thread.memory_cleared')
      .execute();
    expect(audit).toEqual([
      { actor: `telegram:${ADMIN} (Alice)`, action: 'thread.memory_cleared' },
    ]);
  });
});

describe('/history search', () => {
  it('finds a word from 300 messages back, with date and sender, and nothing from another chat', async () => {
    const [id, otherId] = [await threadId(group), await threadId(other)];
    // Inserted directly to keep the test fast; the search itself goes through the chat.
    await sql`insert into messages (thread_id, platform_message_id, sender_name, role, content, sent_at, metadata)
      select ${id}, 'bulk-' || n, 'Dora', 'user',
        case when n = 0 then 'the invoice for Zanzibar is due on Friday' else 'filler message number ' || n end,
        timestamptz '2026-03-14 09:30:00+00' + n * interval '1 minute', '{}'::jsonb
      from generate_series(0, 299) n`.execute(h.db.db);
    await sql`insert into messages (thread_id, platform_message_id, sender_name, role, content, sent_at, metadata)
      values (${otherId}, 'elsewhere-1', 'Bob', 'user', 'quokka sightings in the other chat', now(), '{}'::jsonb)`.execute(
      h.db.db,
    );
    const found = await ask(group, '/history search zanzibar invoice');
    expect(found.text).toContain('Best matches for "zanzibar invoice"');
    expect(found.text).toContain(
      '14 Mar 2026, 09:30, Dora: the invoice for Zanzibar is due on Friday',
    );
    expect(found.text.split('\n')).toHaveLength(2);

    const none = await ask(group, '/history search quokka');
    expect(none.text).toBe('No message of this chat matches "quokka".');
    const there = await ask(other, '/history search quokka');
    expect(there.text).toContain('Bob: quokka sightings in the other chat');
  });

  it('answers a search without words with its usage', async () => {
    expect((await ask(group, '/history search')).text).toContain('Usage: /history search <words>');
    expect((await ask(group, '/history search !!!')).text).toContain('nothing to search for');
    expect((await ask(group, '/history')).text).toContain('/history export [md|jsonl]');
  });
});

describe('/history export', () => {
  const stored = async (chat: ChatSpec) =>
    h.db.db
      .selectFrom('messages')
      .select([
        'id',
        'sender_name',
        'role',
        'content',
        'sent_at',
        'platform_message_id',
        'reply_to',
      ])
      .where('thread_id', '=', await threadId(chat))
      .orderBy('id')
      .execute();

  it('sends the whole history as a JSON Lines file whose lines are the stored messages', async () => {
    const sent = await ask(group, '/history export jsonl');
    const messages = await stored(group);
    expect(sent.document!.fileName).toMatch(/^history-telegram_-100161-\d{4}-\d{2}-\d{2}\.jsonl$/);
    expect(sent.text).toBe(
      `History of this chat: ${messages.length} messages, ${messages[0]!.sent_at.toISOString().slice(0, 10)} to ${messages.at(-1)!.sent_at.toISOString().slice(0, 10)} (jsonl).`,
    );
    const lines = sent.document!.content.trimEnd().split('\n');
    expect(messages.length).toBeGreaterThan(300);
    expect(lines.map((line) => JSON.parse(line))).toEqual(
      messages.map((m) => ({
        id: m.id,
        sentAt: m.sent_at.toISOString(),
        sender: m.sender_name,
        role: m.role,
        text: m.content,
        platformMessageId: m.platform_message_id,
        replyTo: m.reply_to,
      })),
    );
  });

  it('sends Markdown by default, with every message under its sender', async () => {
    const sent = await ask(other, '/history export');
    expect(sent.document!.fileName).toMatch(/\.md$/);
    expect(sent.document!.content).toContain('# History of Elsewhere (telegram:-100162)');
    expect(sent.document!.content).toMatch(
      /### Bob · \d{4}-\d{2}-\d{2} [\d:]{8} UTC\n\nquokka sightings in the other chat\n/,
    );
    expect((await ask(other, '/history export pdf')).text).toContain(
      '"pdf" is not an export format',
    );
  });
});

describe('/stats', () => {
  it('shows the real counts of messages, runs, tokens, the cost estimate and the activity', async () => {
    const id = await threadId(group);
    const people = await h.db.db
      .selectFrom('messages')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('thread_id', '=', id)
      .where('role', '=', 'user')
      .executeTakeFirstOrThrow();
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('thread_id', '=', id)
      .where('status', '=', 'succeeded')
      .executeTakeFirstOrThrow();
    const stats = await ask(group, '/stats');
    const lines = stats.text.split('\n');
    expect(lines[0]).toBe('Statistics of this chat');
    // Five runs answered "@Andy …"; each made one model call of 1,000 tokens in, 100 out.
    expect(runs.n).toBe(5);
    expect(lines).toContain(`Messages: ${people.n} from people, 5 from the assistant`);
    expect(lines).toContain('Runs: 5 (5 succeeded)');
    expect(lines).toContain('Tokens: 5,000 in, 500 out');
    // gpt-4o at $2.50 / $10 per million: 0.0125 + 0.005.
    expect(lines).toContain('Estimated cost: $0.02 at list prices (an estimate, not a bill)');
    expect(lines.at(-1)).toMatch(/^First activity: 14 Mar 2026, 09:30; last: .+ \(UTC\)$/);
  });
});
