import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicErrorReply, startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer, FakeScript } from './support/fake-llm-server.ts';
import { startFakeOpenAi } from './support/fake-openai.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const ANTHROPIC_KEY = 'sk-ant-test-key-never-in-agents';
const OPENAI_KEY = 'sk-openai-test-key-never-in-agents';

let h: PipelineHarness;
let nextChat = -970100;
const servers: FakeLlmServer[] = [];

beforeAll(async () => {
  h = await PipelineHarness.create();
  await h.start(['gateway', '--channel', 'telegram']);
});

afterAll(async () => {
  await h?.close();
  await Promise.allSettled(servers.map((s) => s.close()));
});

async function newChat(
  options: { config?: Record<string, unknown>; main?: boolean } = {},
): Promise<ChatSpec> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'Lab',
    userId: 993,
    firstName: 'Lea',
  };
  const thread = await registerThread(h.db.db, {
    jid: `telegram:${chat.chatId}`,
    isMain: options.main ?? false,
  });
  await h.db.db
    .updateTable('threads')
    .set({ config: JSON.stringify(options.config ?? {}) })
    .where('id', '=', thread.id)
    .execute();
  return chat;
}

const replies = (chat: ChatSpec) => h.telegram.botMessages(chat.chatId).map((m) => m.text);
const reply = (chat: ChatSpec, n: number) =>
  waitFor(
    `reply ${n} in ${chat.chatId}`,
    () => replies(chat).length >= n && replies(chat)[n - 1],
    30_000,
  );

async function anthropic(script: FakeScript): Promise<FakeLlmServer> {
  const server = await startFakeAnthropic(script);
  servers.push(server);
  return server;
}

/** A worker talking to `server` as `provider`; stopped by the caller. */
function worker(
  provider: 'anthropic' | 'openai',
  server: FakeLlmServer,
  extra: Record<string, string> = {},
) {
  return h.start(['worker'], {
    LLM_PROVIDER: provider,
    LLM_MODEL: provider === 'anthropic' ? 'claude-test' : 'gpt-test',
    ...(provider === 'anthropic'
      ? { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: server.baseURL }
      : { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: server.baseURL }),
    LLM_MAX_RETRIES: '2',
    ...extra,
  });
}

/** A model that runs `echo $((6*7))` with bash, then answers with what it saw. */
const sixTimesSeven: FakeScript = (body, index) => {
  if (index % 2 === 0)
    return { text: '', toolCalls: [{ name: 'bash', arguments: { command: 'echo $((6*7))' } }] };
  const sawIt = JSON.stringify(body).includes('42');
  return {
    text: sawIt ? 'The answer is 42.' : 'I did not get a result.',
    usage: { input: 30, output: 7 },
  };
};

async function stop(proc: GridbotProcess) {
  expect(await proc.stop()).toBe(0);
}

describe('the agent thinking with a real model SDK against a fake provider', () => {
  it('runs bash through the tool loop and answers with its result (Anthropic, process runtime)', async () => {
    const server = await anthropic(sixTimesSeven);
    const proc = await worker('anthropic', server);
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy what is six times seven?');
    expect(await reply(chat, 1)).toBe('The answer is 42.');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${ANTHROPIC_KEY}`);
    expect(JSON.stringify(server.requests[0]!.body.tools)).toContain('"bash"');
    const ledger = await h.db.db
      .selectFrom('token_ledger')
      .select(['provider', 'model', 'input_tokens', 'output_tokens'])
      .execute();
    expect(ledger.at(-1)).toEqual({
      provider: 'anthropic',
      model: 'claude-test',
      input_tokens: 30,
      output_tokens: 7,
    });
    await stop(proc);
  });

  it('runs bash inside the container and answers (OpenAI-compatible, Docker runtime); the key never reaches the agent', async () => {
    const server = await startFakeOpenAi((body, index) => {
      if (index === 0)
        return {
          text: '',
          toolCalls: [
            {
              name: 'bash',
              arguments: {
                command:
                  'echo $((6*7)); env; cat /proc/1/environ 2>/dev/null | tr "\\0" "\\n"; grep -rl sk- /workspace 2>/dev/null',
              },
            },
          ],
        };
      return {
        text: JSON.stringify(body).includes('42') ? 'The answer is 42.' : 'no result',
        usage: { input: 11, output: 5 },
      };
    });
    servers.push(server);
    const proc = await worker('openai', server, { AGENT_RUNTIME: 'docker' });
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy what is six times seven?');
    expect(await reply(chat, 1)).toBe('The answer is 42.');
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const seenByAgent = JSON.stringify(server.requests[1]!.body);
    expect(seenByAgent).toContain('GRIDBOT_THREAD_ID');
    expect(seenByAgent).not.toContain(OPENAI_KEY);
    expect(seenByAgent).not.toContain('123456:TEST');
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select('container')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(runs.container).toMatch(/^[0-9a-f]{64}$/);
    await stop(proc);
  });

  it('schedules tasks for its own thread, is refused another thread, and the main thread may', async () => {
    const target = await newChat();
    const schedule = (threadJid?: string) => ({
      name: 'schedule_task',
      arguments: {
        prompt: 'weekly report',
        schedule: { kind: 'cron', expression: '0 9 * * 1' },
        ...(threadJid && { thread_jid: threadJid }),
      },
    });
    const server = await anthropic((body, index) => {
      const step = index % 3;
      if (step === 0) return { text: '', toolCalls: [schedule()] };
      if (step === 1) return { text: '', toolCalls: [schedule(`telegram:${target.chatId}`)] };
      const text = JSON.stringify(body);
      return {
        text: text.includes('Only the main thread') ? 'refused elsewhere' : 'scheduled both',
      };
    });
    const proc = await worker('anthropic', server);
    const plain = await newChat();
    await h.telegram.say(plain, '@Andy schedule the weekly report');
    expect(await reply(plain, 1)).toBe('refused elsewhere');
    const main = await newChat({ main: true });
    await h.telegram.say(main, '@Andy schedule the weekly report');
    expect(await reply(main, 1)).toBe('scheduled both');
    const rows = await h.db.db
      .selectFrom('scheduled_tasks')
      .innerJoin('threads', 'threads.id', 'scheduled_tasks.thread_id')
      .select(['threads.jid', 'scheduled_tasks.prompt'])
      .orderBy('scheduled_tasks.id')
      .execute();
    expect(rows.map((r) => r.jid)).toEqual([
      `telegram:${plain.chatId}`,
      `telegram:${main.chatId}`,
      `telegram:${target.chatId}`,
    ]);
    await stop(proc);
  });

  it('remembers in one run and the next run starts with that memory', async () => {
    const server = await anthropic((_body, index) => {
      if (index === 0)
        return {
          text: '',
          toolCalls: [{ name: 'remember', arguments: { content: 'Lea takes her coffee black' } }],
        };
      return { text: 'Noted.' };
    });
    const proc = await worker('anthropic', server);
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy remember I take my coffee black');
    expect(await reply(chat, 1)).toBe('Noted.');
    await h.telegram.say(chat, '@Andy how do I take my coffee?');
    await reply(chat, 2);
    expect(JSON.stringify(server.requests.at(-1)!.body.system)).toContain(
      'Lea takes her coffee black',
    );
    await stop(proc);
  });

  it('records one ledger row per call with the usage the provider returned', async () => {
    const usages = [
      { input: 101, output: 11 },
      { input: 202, output: 22 },
    ];
    const server = await anthropic((_body, index) =>
      index === 0
        ? { text: '', toolCalls: [{ name: 'list_files', arguments: {} }], usage: usages[0] }
        : { text: 'done', usage: usages[1] },
    );
    const proc = await worker('anthropic', server);
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy look around');
    await reply(chat, 1);
    const run = await h.db.db
      .selectFrom('agent_runs')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const rows = await h.db.db
      .selectFrom('token_ledger')
      .select(['input_tokens', 'output_tokens'])
      .where('run_id', '=', run.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual(usages.map((u) => ({ input_tokens: u.input, output_tokens: u.output })));
    expect(run).toMatchObject({ input_tokens: 303, output_tokens: 33 });
    await stop(proc);
  });

  it('tells the thread once when the daily token budget is spent, and calls no model', async () => {
    const server = await anthropic([{ text: 'first answer', usage: { input: 80, output: 40 } }]);
    const proc = await worker('anthropic', server);
    const chat = await newChat({ config: { daily_token_budget: 100 } });
    await h.telegram.say(chat, '@Andy hi');
    expect(await reply(chat, 1)).toBe('first answer');
    await h.telegram.say(chat, '@Andy again');
    expect(await reply(chat, 2)).toMatch(
      /used today's token budget for this chat \(120 of 100 tokens\)/,
    );
    await h.telegram.say(chat, '@Andy and again');
    await sleep(1_500);
    expect(replies(chat)).toHaveLength(2);
    expect(server.requests).toHaveLength(1);
    await stop(proc);
  });

  it('gets through two provider errors, and after a provider that keeps failing says so once and keeps the message', async () => {
    const flaky = await anthropic([
      anthropicErrorReply(500),
      anthropicErrorReply(500),
      { text: 'made it' },
    ]);
    let proc = await worker('anthropic', flaky);
    const chat = await newChat();
    await h.telegram.say(chat, '@Andy are you there?');
    expect(await reply(chat, 1)).toBe('made it');
    expect(flaky.requests).toHaveLength(3);
    await stop(proc);

    const down = await anthropic([anthropicErrorReply(500)]);
    proc = await worker('anthropic', down);
    const other = await newChat();
    await h.telegram.say(other, '@Andy hello?');
    const notice = await reply(other, 1);
    expect(notice).toMatch(/^Sorry, I could not answer: .*anthropic.*500/);
    expect(notice).not.toContain(ANTHROPIC_KEY);
    await sleep(1_500);
    expect(replies(other)).toHaveLength(1);
    const thread = await h.db.db
      .selectFrom('threads')
      .select(['cursor', 'status'])
      .where('jid', '=', `telegram:${other.chatId}`)
      .executeTakeFirstOrThrow();
    expect(thread.cursor).toBe(0);
    expect(thread.status).toBe('failed');
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select('status')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(runs.status).toBe('failed');
    await stop(proc);
  });

  it('stops a model that calls tools forever at the step bound, with a message', async () => {
    const server = await anthropic(() => ({
      text: 'thinking',
      toolCalls: [{ name: 'list_files', arguments: {} }],
    }));
    const proc = await worker('anthropic', server);
    const chat = await newChat({ config: { max_steps: 3 } });
    await h.telegram.say(chat, '@Andy keep busy');
    expect(await reply(chat, 1)).toMatch(/stopped after 3 steps/i);
    expect(server.requests).toHaveLength(3);
    await stop(proc);
  });
});
