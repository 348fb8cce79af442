import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { startFakeOpenAi } from './support/fake-openai.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * The settings hierarchy from the chat: `/config` (the chat's own), `/defaults` (a person's
 * own), resolved global → sender → chat for each run, as the model call shows it.
 */
const GROUP = -980100;
const ada: ChatSpec = {
  chatId: GROUP,
  type: 'group',
  title: 'Crew',
  userId: 801,
  firstName: 'Ada',
};
const bob: ChatSpec = { ...ada, userId: 802, firstName: 'Bob' };
const adaDirect: ChatSpec = { chatId: 801, type: 'private', userId: 801, firstName: 'Ada' };

let h: PipelineHarness;
let llm: FakeLlmServer;

beforeAll(async () => {
  h = await PipelineHarness.create();
  llm = await startFakeOpenAi([{ text: 'ok', usage: { input: 10, output: 5 } }]);
  await registerThread(h.db.db, { jid: `telegram:${GROUP}` });
  await h.start(['gateway', '--channel', 'telegram'], {
    TELEGRAM_ADMIN_USERS: '801',
    TELEGRAM_ALLOWED_USERS: '801',
  });
  await h.start(['worker'], {
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-test',
    OPENAI_API_KEY: 'sk-test-config',
    OPENAI_BASE_URL: llm.baseURL,
    LLM_MAX_TOKENS: '2000',
    DAILY_TOKEN_BUDGET: '100000',
  });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
});

/** The bot's messages as the person reads them (they are sent as Telegram HTML). */
const replies = (chatId: number) =>
  h.telegram
    .botMessages(chatId)
    .map((m) => m.text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));

/** Says `text` as `who` and resolves with the bot's next message in that chat. */
async function ask(who: ChatSpec, text: string): Promise<string> {
  const before = replies(who.chatId).length;
  await h.telegram.say(who, text);
  return waitFor(
    `an answer to ${JSON.stringify(text)}`,
    () => replies(who.chatId).length > before && replies(who.chatId)[before],
    30_000,
  );
}

/** Has `who` address the assistant and returns the body of the model call of that run. */
async function run(who: ChatSpec): Promise<Record<string, unknown>> {
  const calls = llm.requests.length;
  const prefix = who.type === 'private' ? '' : '@Andy ';
  expect(await ask(who, `${prefix}hello`)).toBe('ok');
  expect(llm.requests.length).toBe(calls + 1);
  return llm.requests.at(-1)!.body;
}

function systemPrompt(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string }[];
  return messages.find((m) => m.role === 'system')?.content ?? '';
}

async function auditRows() {
  return h.db.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'target', 'details'])
    .where((eb) => eb.or([eb('action', 'like', '%.set'), eb('action', 'like', '%.reset')]))
    .orderBy('id')
    .execute();
}

describe('settings from the chat', () => {
  it("starts from the operator's environment", async () => {
    const body = await run(ada);
    expect(body).toMatchObject({ model: 'gpt-test', temperature: 0.7, max_tokens: 2000 });
  });

  it('/config set temperature 0.2 by an admin: the next model call carries 0.2', async () => {
    expect(await ask(ada, '/config set temperature 0.2')).toBe(
      'temperature is now 0.2 in this chat.',
    );
    expect((await run(ada)).temperature).toBe(0.2);
  });

  it("/defaults set model by one person changes that person's runs only", async () => {
    expect(await ask(bob, '/defaults set model gpt-bob')).toBe(
      'model is now gpt-bob in your defaults.',
    );
    expect((await run(bob)).model).toBe('gpt-bob');
    expect((await run(ada)).model).toBe('gpt-test');
  });

  it("a chat's own value wins; /config reset brings back the person's value", async () => {
    await ask(ada, '/config set model gpt-chat');
    expect((await run(bob)).model).toBe('gpt-chat');
    expect(await ask(bob, '/config show')).toContain('model: gpt-chat (this chat)');
    expect(await ask(ada, '/config reset model')).toBe(
      'Reset in this chat. Now: model gpt-test (global).',
    );
    expect((await run(bob)).model).toBe('gpt-bob');
    expect(await ask(ada, '/config reset')).toBe(
      'Reset in this chat. Now: temperature 0.7 (global).',
    );
    expect((await run(bob)).temperature).toBe(0.7);
  });

  it('a bad key or value gets a message naming the allowed ones', async () => {
    const unknown = await ask(ada, '/config set temprature 1');
    expect(unknown).toMatch(/^Unknown key "temprature"\. Keys you can set: model, temperature, /);
    expect(await ask(ada, '/config set temperature 5')).toBe(
      'temperature must be a number from 0 to 2, not "5".',
    );
    expect(await ask(ada, '/config set max_tokens 9000')).toBe(
      'max_tokens can only be lowered here: at most 2000 (the operator\'s limit), not "9000".',
    );
    expect(await ask(bob, '/defaults set timezone Mars/Base')).toBe(
      'timezone must be an IANA time zone such as Europe/Berlin or America/New_York, not "Mars/Base".',
    );
    expect(await ask(ada, '/config set sandbox {}')).toContain('set by the operator only');
    expect(await ask(ada, '/config frobnicate')).toContain('Unknown /config subcommand');
  });

  it('refuses a non-admin in a group and changes nothing', async () => {
    expect(await ask(bob, '/config set temperature 1.5')).toBe(
      "Only an admin can change this chat's settings. Your own defaults: /defaults set <key> <value>.",
    );
    const thread = await h.db.db
      .selectFrom('threads')
      .select('config')
      .where('jid', '=', `telegram:${GROUP}`)
      .executeTakeFirstOrThrow();
    expect(thread.config).toEqual({});
    expect((await run(bob)).temperature).toBe(0.7);
  });

  it('writes every change to the audit log, with who, what and the values', async () => {
    const rows = await auditRows();
    expect(rows.map((r) => [r.action, r.target])).toEqual([
      ['config.set', `thread:telegram:${GROUP}`],
      ['defaults.set', 'user:telegram:802'],
      ['config.set', `thread:telegram:${GROUP}`],
      ['config.reset', `thread:telegram:${GROUP}`],
      ['config.reset', `thread:telegram:${GROUP}`],
    ]);
    expect(rows[0]).toMatchObject({
      actor: 'telegram:801 (Ada)',
      details: { temperature: { from: null, to: 0.2 } },
    });
    expect(rows[1]).toMatchObject({
      actor: 'telegram:802 (Bob)',
      details: { model: { from: null, to: 'gpt-bob' } },
    });
    expect(rows[3]!.details).toEqual({ model: { from: 'gpt-chat', to: null } });
  });

  it("uses the sender's zone in a direct chat and the group's own clock in a group", async () => {
    expect(await ask(adaDirect, '/defaults set timezone Asia/Tokyo')).toBe(
      'timezone is now Asia/Tokyo in your defaults.',
    );
    expect(systemPrompt(await run(adaDirect))).toContain('(Asia/Tokyo, GMT+09:00)');
    expect(systemPrompt(await run(ada))).toContain('(UTC, GMT');
    // A person may change a direct chat's own settings: they are its only member.
    expect(await ask(adaDirect, '/config set language German')).toBe(
      'language is now German in this chat.',
    );
    expect(systemPrompt(await run(adaDirect))).toContain('Write your replies in German');
  });

  it('/status answers with real figures', async () => {
    const used = await h.db.db
      .selectFrom('token_ledger')
      .select((eb) => eb.fn.sum<string>(eb('input_tokens', '+', eb.ref('output_tokens'))).as('n'))
      .where('thread_id', '=', (qb) =>
        qb.selectFrom('threads').select('id').where('jid', '=', `telegram:${GROUP}`),
      )
      .executeTakeFirstOrThrow();
    expect(Number(used.n)).toBeGreaterThan(0);
    const status = await ask(bob, '/status');
    expect(status).toContain(
      'This chat: registered, a group; I answer messages starting with @Andy',
    );
    expect(status).toContain('Model: gpt-bob (your default) via openai');
    expect(status).toContain('Workers up: 1');
    expect(status).toContain('Run: none in progress, nothing waiting');
    expect(status).toContain(`Tokens today (UTC): ${Number(used.n)} of 100000`);
    expect(status).toContain('Pending approvals: none');
  });

  it('/config help lists every key a chat may set, with its range', async () => {
    const help = await ask(ada, '/config help');
    expect(help).toContain('temperature: sampling temperature');
    expect(help).toContain('(a number from 0 to 2)');
    expect(help).toContain('tools_requiring_approval:');
    expect(help).not.toContain('sandbox');
  });
});
