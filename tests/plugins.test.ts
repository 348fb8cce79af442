import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { startFakeOpenAi } from './support/fake-openai.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * Plugins, `/help` and unknown commands, end to end: a gateway loading plugins from paths
 * (tests/fixtures/plugins) and the built-ins, a worker on a fake OpenAI server, both real
 * processes, through the Telegram emulator (whose bot is @TestNameBot).
 */

const group: ChatSpec = {
  chatId: -100731,
  type: 'supergroup',
  title: 'Shop',
  userId: 731,
  firstName: 'Mia',
};
const direct: ChatSpec = { chatId: 732, type: 'private', userId: 732, firstName: 'Noa' };
const CANNED = 'We are open 9 to 5 (canned).';

let h: PipelineHarness;
let model: FakeLlmServer;
let gateway: GridbotProcess;

beforeAll(async () => {
  h = await PipelineHarness.create();
  model = await startFakeOpenAi(() => ({
    text: 'Model answer: SECRET-WORD',
    usage: { input: 5, output: 3 },
  }));
  const registered = await h.cli([
    'threads',
    'register',
    `telegram:${group.chatId}`,
    '--name',
    'Shop',
  ]);
  expect(registered.code).toBe(0);
  gateway = await h.start(['gateway', '--channel', 'telegram'], {
    TELEGRAM_ALLOWED_USERS: String(direct.userId),
    // The throwing plugin first: every event passes through its failing hooks.
    PLUGINS:
      './tests/fixtures/plugins/throwing.ts, ./tests/fixtures/plugins/canned-answer.ts, mention, auto-reply',
    PLUGIN_CONFIG: JSON.stringify({
      'canned-answer': { question: 'opening hours', answer: CANNED, redact: 'SECRET-WORD' },
      mention: { triggerWords: ['hey robot'] },
      'auto-reply': { rules: [{ pattern: '^@Andy ping$', reply: 'pong' }] },
    }),
  });
  await h.start(['worker'], {
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-test',
    OPENAI_API_KEY: 'sk-openai-test-key-plugins',
    OPENAI_BASE_URL: model.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await model?.close();
});

/** The chat's replies as people read them (the fake keeps the HTML the bot sent). */
const replies = (chat: ChatSpec) =>
  h.telegram
    .botMessages(chat.chatId)
    .map((m) => m.text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));

/** Says `text` and waits for the chat's next reply; returns it. */
async function ask(chat: ChatSpec, text: string): Promise<string> {
  const before = replies(chat).length;
  await h.telegram.say(chat, text);
  return waitFor(`a reply to ${JSON.stringify(text)}`, () => replies(chat)[before], 30_000);
}

async function runsOf(chat: ChatSpec): Promise<number> {
  const row = await h.db.db
    .selectFrom('agent_runs')
    .innerJoin('threads', 'threads.id', 'agent_runs.thread_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('threads.jid', '=', `telegram:${chat.chatId}`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function stored(text: string) {
  return h.db.db
    .selectFrom('messages')
    .select(['content', 'triggers'])
    .where('content', '=', text)
    .execute();
}

describe('plugins, through a real gateway and worker', () => {
  it("answers with a path-loaded plugin's canned answer: no model call, no run, the message kept as context", async () => {
    expect(await ask(group, '@Andy what are the opening hours?')).toBe(CANNED);
    expect(await ask(group, '@Andy ping')).toBe('pong');
    expect(model.requests).toHaveLength(0);
    expect(await runsOf(group)).toBe(0);
    expect(await stored('@Andy what are the opening hours?')).toEqual([
      { content: '@Andy what are the opening hours?', triggers: false },
    ]);
  });

  it('loses no message to a plugin that throws: the model answers, and the reply is transformed once', async () => {
    expect(await ask(group, '@Andy hello there')).toBe('Model answer: [redacted]');
    expect(model.requests).toHaveLength(1);
    // The model read the canned exchange's question as context.
    expect(JSON.stringify(model.requests[0]!.body)).toContain('what are the opening hours?');
    const failures = gateway.logs().filter((l) => l.plugin === 'throwing');
    expect(failures.map((l) => l.hook)).toContain('onInbound');
    expect(failures.map((l) => l.hook)).toContain('onOutbound');
    const sent = await h.db.db
      .selectFrom('outbox')
      .select('payload')
      .where('run_id', 'is not', null)
      .execute();
    expect(sent.map((row) => row.payload)).toEqual([
      expect.objectContaining({ text: 'Model answer: [redacted]', transformed: true }),
    ]);
  });

  it('drops what a plugin drops, and gives the model the context a plugin adds', async () => {
    await h.telegram.say(group, '@Andy DROP-ME now');
    const calls = model.requests.length;
    expect(await ask(group, '@Andy LOOK-UP my order')).toBe('Model answer: [redacted]');
    expect(await stored('@Andy DROP-ME now')).toEqual([]);
    const body = JSON.stringify(model.requests.at(-1)!.body);
    expect(body).toContain('LOOK-UP my order\\n\\n(canned-answer: the customer ordered #4711)');
    expect(body).not.toContain('DROP-ME');
    expect(model.requests).toHaveLength(calls + 1);
  });

  it("starts a run on the mention plugin's extra trigger word", async () => {
    const runs = await runsOf(group);
    expect(await ask(group, 'hey robot, are you there?')).toBe('Model answer: [redacted]');
    expect(await runsOf(group)).toBe(runs + 1);
  });
});

describe('/help and unknown commands', () => {
  it("/help lists the table's commands, the plugin's too, one line each", async () => {
    const help = (await ask(group, '/help')).split('\n');
    expect(help).toContain('/stop — cancels the run in progress here');
    expect(help).toContain(
      '/approve <id> | /reject <id> — decides an approval the assistant asked for (the person who asked, or an admin)',
    );
    expect(help).toContain('/fixture <words> — repeats its words (a plugin command)');
    expect(help.some((line) => line.startsWith('/pair'))).toBe(false);
    expect(await ask(group, '/fixture@TestNameBot two words')).toBe('fixture says: two words');
  });

  it('answers an unknown command addressed to the bot and starts no run', async () => {
    const runs = await runsOf(group);
    const calls = model.requests.length;
    expect(await ask(group, '/frobnicate@TestNameBot now')).toBe(
      'Unknown command /frobnicate; see /help for the commands here.',
    );
    expect(await ask(direct, '/frobnicate')).toBe(
      'Unknown command /frobnicate; see /help for the commands here.',
    );
    expect(await ask(direct, '/approve')).toBe(
      'Usage: /approve <id> | /reject <id> — decides an approval the assistant asked for (the person who asked, or an admin).',
    );
    expect(await runsOf(group)).toBe(runs);
    expect(await runsOf(direct)).toBe(0);
    expect(model.requests).toHaveLength(calls);
    expect(await stored('/frobnicate')).toEqual([]);
  });

  it("ignores another bot's command in a group: kept as context, never answered", async () => {
    const before = replies(group).length;
    await h.telegram.say(group, '/help@OtherBot');
    await h.telegram.say(group, '/stop@OtherBot');
    // Replies leave in order: had either been answered, that answer would come first.
    expect(await ask(group, '@Andy and now?')).toBe('Model answer: [redacted]');
    expect(replies(group)).toHaveLength(before + 1);
    expect(await stored('/help@OtherBot')).toEqual([
      { content: '/help@OtherBot', triggers: false },
    ]);
    expect(JSON.stringify(model.requests.at(-1)!.body)).toContain('/stop@OtherBot');
  });
});
