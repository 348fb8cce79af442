/**
 * `gridbot setup` as a new operator runs it: with --yes, from an empty directory to a `.env`
 * with which `gridbot start` answers in the web chat; again, changing nothing; and with a
 * token Telegram refuses, writing nothing for Telegram; and in a terminal, asking.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { createDatabase } from '@gridbot/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack/fake-slack.ts';
import { type FakeWhatsApp, startFakeWhatsApp } from './support/fake-whatsapp/fake-whatsapp.ts';
import { PHONE_NUMBER_ID } from './support/fake-whatsapp/whatsapp-payloads.ts';
import { freePort } from './support/free-port.ts';
import {
  type GridbotProcess,
  runGridbot,
  spawnGridbot,
  waitUntilReady,
} from './support/gridbot-process.ts';
import { TEST_AGENT_IMAGE } from './support/services.ts';
import { BOT_TOKEN, TelegramFake } from './support/telegram-fake.ts';
import { KEYS, runInTerminal } from './support/terminal.ts';
import { ON_REDIS } from './support/test-mode.ts';
import { createTestRedis, type TestRedis } from './support/test-redis.ts';
import { waitFor } from './support/wait-for.ts';

const SERVER = 'postgres://postgres@127.0.0.1:5432';
const DATABASE = `gridbot_setup_${process.pid}`;
const LLM_KEY = 'sk-ant-setup-test-key-0123456789';

let telegram: TelegramFake;
let anthropic: FakeLlmServer;
let redis: TestRedis;
const dirs: string[] = [];
let started: GridbotProcess | null = null;
let port: number;

beforeAll(async () => {
  telegram = await TelegramFake.start();
  telegram.refuseOtherTokens = true;
  anthropic = await startFakeAnthropic(() => ({ text: 'Hello from the set-up install.' }));
  redis = createTestRedis();
  port = await freePort();
});

afterAll(async () => {
  await started?.stop();
  await Promise.allSettled([telegram?.stop(), anthropic?.close(), redis?.cleanup()]);
  const server = createDatabase({ connectionString: `${SERVER}/postgres`, max: 1 });
  await sql`drop database if exists ${sql.id(DATABASE)} with (force)`.execute(server);
  await server.destroy();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gridbot-setup-'));
  dirs.push(dir);
  return dir;
}

/** `gridbot setup --yes` into `dir`, for this suite's mode. */
function setup(dir: string, telegramToken: string) {
  return runGridbot(
    [
      'setup',
      '--yes',
      '--dir',
      dir,
      '--mode',
      ON_REDIS ? 'redis' : 'postgres',
      '--database-url',
      `${SERVER}/${DATABASE}`,
      ...(ON_REDIS ? ['--redis-url', redis.url] : []),
      '--llm',
      'anthropic',
      '--llm-key',
      LLM_KEY,
      '--llm-base-url',
      anthropic.baseURL,
      '--telegram-token',
      telegramToken,
      '--dashboard-port',
      String(port),
      '--no-image',
    ],
    { TELEGRAM_API_ROOT: telegram.apiRoot },
    60_000,
  );
}

describe('gridbot setup --yes', () => {
  let dir: string;

  it('writes a .env (secrets masked in what it prints) with which gridbot start answers in the web chat', async () => {
    dir = await emptyDir();
    const first = await setup(dir, BOT_TOKEN);
    expect(first.output).toContain('ok    telegram: the bot @');
    expect(first.output).toContain('ok    anthropic: anthropic accepts the key');
    expect(first.code).toBe(0);
    expect(first.output).not.toContain(BOT_TOKEN);
    expect(first.output).not.toContain(LLM_KEY);
    expect(anthropic.requests.some((r) => r.method === 'GET' && r.path === '/v1/models')).toBe(
      true,
    );
    const envFile = join(dir, '.env');
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    const values = parseEnv(await readFile(envFile, 'utf8'));
    expect(values).toMatchObject({
      DATABASE_URL: `${SERVER}/${DATABASE}`,
      LLM_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: LLM_KEY,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      DASHBOARD_PORT: String(port),
    });
    expect(values.DASHBOARD_TOKEN).toMatch(/^[\w-]{32}$/);
    expect(values.REDIS_URL).toBe(ON_REDIS ? redis.url : undefined);

    started = spawnGridbot(
      ['start'],
      { QUEUE_PREFIX: redis.prefix, AGENT_RUNTIME: 'process', AGENT_IMAGE: TEST_AGENT_IMAGE },
      { cwd: dir },
    );
    await waitUntilReady(started, port, 60_000);
    const chat = `http://127.0.0.1:${port}/api/chat/first-light/messages`;
    const auth = { authorization: `Bearer ${values.DASHBOARD_TOKEN}` };
    const posted = await fetch(chat, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello?' }),
    });
    expect(posted.status).toBe(202);
    const answer = await waitFor(
      'the answer in the web chat',
      async () => {
        const { entries } = (await (await fetch(chat, { headers: auth })).json()) as {
          entries: { role: string; text: string }[];
        };
        return entries.find((e) => e.role === 'assistant');
      },
      30_000,
    );
    expect(answer.text).toBe('Hello from the set-up install.');
    await started.stop();
    started = null;
  });

  it('changes nothing when run again with the same answers', async () => {
    const before = await readFile(join(dir, '.env'), 'utf8');
    const again = await setup(dir, BOT_TOKEN);
    expect(again.code).toBe(0);
    expect(again.output).toContain(`Unchanged: ${join(dir, '.env')}`);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(before);
  });

  it('says so when Telegram refuses the token, and writes nothing for Telegram', async () => {
    const other = await emptyDir();
    const refused = await setup(other, '999999:not-the-right-token');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'FAIL  telegram: Telegram refused the token (Unauthorized); TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT not written',
    );
    const values = parseEnv(await readFile(join(other, '.env'), 'utf8'));
    expect(Object.keys(values).filter((key) => key.startsWith('TELEGRAM_'))).toEqual([]);
    expect(values.ANTHROPIC_API_KEY).toBe(LLM_KEY);
  });
});

describe('gridbot setup in a terminal', () => {
  const flags = (dir: string) => [
    'setup',
    '--dir',
    dir,
    '--dashboard-port',
    String(port),
    '--no-image',
  ];

  it('asks each question: the mode from a list, a URL checked as typed, a token never shown', async () => {
    const dir = await emptyDir();
    const term = runInTerminal(flags(dir), { TELEGRAM_API_ROOT: telegram.apiRoot });
    await term.waitForText('Mode');
    term.type(`${KEYS.down}${ON_REDIS ? KEYS.down : ''}${KEYS.enter}`);
    await term.waitForText('DATABASE_URL');
    term.type(`not a url${KEYS.enter}`);
    await term.waitForText('expected a URL such as postgres://user@host:5432/gridbot');
    term.type(`${KEYS.backspace.repeat('not a url'.length)}${SERVER}/${DATABASE}${KEYS.enter}`);
    if (ON_REDIS) {
      await term.waitForText('REDIS_URL');
      term.type(`${KEYS.backspace.repeat(40)}${redis.url}${KEYS.enter}`);
    }
    await term.waitForText('Model provider');
    term.type(KEYS.enter); // echo, the default
    await term.waitForText('Telegram bot token (Enter: none)');
    term.type(`${BOT_TOKEN}${KEYS.enter}`);
    await term.waitForText('Discord bot token (Enter: none)');
    term.type(KEYS.enter);
    await term.waitForText('Slack bot token, xoxb-… (Enter: none)');
    term.type(KEYS.enter);
    await term.waitForText('WhatsApp access token (Enter: none)');
    term.type(KEYS.enter);
    expect(await term.exited).toBe(0);
    const screen = term.output();
    expect(screen).toContain(`Telegram bot token (Enter: none) ${'*'.repeat(BOT_TOKEN.length)}`);
    expect(screen).not.toContain(BOT_TOKEN);
    expect(screen).toContain('ok    telegram: the bot @');
    const values = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    expect(values).toMatchObject({
      DATABASE_URL: `${SERVER}/${DATABASE}`,
      LLM_PROVIDER: 'echo',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    });
    expect(values.REDIS_URL).toBe(ON_REDIS ? redis.url : undefined);
  });

  it('stops at Ctrl-C, writing nothing', async () => {
    const dir = await emptyDir();
    const term = runInTerminal(flags(dir), {});
    await term.waitForText('Mode');
    term.type(KEYS.ctrlC);
    expect(await term.exited).not.toBe(0);
    expect(term.output()).toContain('Set-up stopped: nothing was written.');
    await expect(stat(join(dir, '.env'))).rejects.toThrow(/ENOENT/);
  });
});

describe('gridbot setup with Slack and WhatsApp', () => {
  const SLACK_BOT = 'xoxb-setup-test-0123456789';
  const SLACK_APP = 'xapp-setup-test-0123456789';
  const WHATSAPP = 'EAAG-setup-test-0123456789';
  const APP_SECRET = 'whatsapp-app-secret-0123456789';
  let slack: FakeSlack;
  let whatsapp: FakeWhatsApp;

  beforeAll(async () => {
    slack = await startFakeSlack({ botToken: SLACK_BOT, appToken: SLACK_APP });
    whatsapp = await startFakeWhatsApp({ accessToken: WHATSAPP });
  });
  afterAll(async () => {
    await Promise.allSettled([slack?.close(), whatsapp?.close()]);
  });

  const run = (dir: string, slackApp: string, whatsappToken: string) =>
    runGridbot(
      [
        'setup',
        '--yes',
        '--dir',
        dir,
        '--mode',
        'embedded',
        '--slack-bot-token',
        SLACK_BOT,
        '--slack-app-token',
        slackApp,
        '--whatsapp-token',
        whatsappToken,
        '--whatsapp-phone-id',
        PHONE_NUMBER_ID,
        '--whatsapp-app-secret',
        APP_SECRET,
        '--no-image',
      ],
      { SLACK_API_URL: slack.apiUrl, WHATSAPP_GRAPH_URL: whatsapp.graphUrl },
      60_000,
    );

  it('checks both with one call each and writes them, a verify token made up, secrets masked', async () => {
    const dir = await emptyDir();
    const result = await run(dir, SLACK_APP, WHATSAPP);
    expect(result.output).toContain('ok    slack: the bot ');
    expect(result.output).toContain('ok    whatsapp: the number +1 555-000-1234 (GridBot Test)');
    expect(result.code).toBe(0);
    for (const secret of [SLACK_BOT, SLACK_APP, WHATSAPP, APP_SECRET]) {
      expect(result.output).not.toContain(secret);
    }
    const values = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    expect(values).toMatchObject({
      SLACK_BOT_TOKEN: SLACK_BOT,
      SLACK_APP_TOKEN: SLACK_APP,
      WHATSAPP_ACCESS_TOKEN: WHATSAPP,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_APP_SECRET: APP_SECRET,
    });
    expect(values.WHATSAPP_VERIFY_TOKEN).toMatch(/^[\w-]{24}$/);
    expect(result.output).toContain('WHATSAPP_VERIFY_TOKEN from .env');
  });

  it('writes neither when the platforms refuse the tokens, saying which', async () => {
    const dir = await emptyDir();
    const result = await run(dir, 'xapp-wrong', 'EAAG-wrong');
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'FAIL  slack: Slack refused the app-level token (invalid_auth): it needs connections:write',
    );
    expect(result.output).toContain(
      'FAIL  whatsapp: WhatsApp refused (401 Invalid OAuth access token)',
    );
    const values = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    expect(Object.keys(values).filter((key) => /^(SLACK|WHATSAPP)_/.test(key))).toEqual([]);
  });
});
