/**
 * Bad input at the command line: each wrong or missing environment variable, and each
 * malformed command, stops with a message that names what is wrong and how to fix it, a
 * non-zero exit code, and no stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGridbot } from '../support/gridbot-process.ts';
import { TEST_REDIS_URL } from '../support/services.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

/** A role's environment that would start, with `change` applied (undefined removes). */
function env(change: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = {
    DATABASE_URL: t.url,
    REDIS_URL: TEST_REDIS_URL,
    TELEGRAM_BOT_TOKEN: '123456:TEST-token',
    ...change,
  };
  return Object.fromEntries(
    Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

function expectClear(output: string): void {
  expect(output).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/); // no stack trace
  expect(output).toMatch(/^gridbot: /m);
}

const ENV_CASES: Array<[string, string[], Record<string, string | undefined>, RegExp]> = [
  [
    'DATABASE_URL missing',
    ['worker'],
    { DATABASE_URL: undefined },
    /DATABASE_URL: is not set \(required\): set it, e\.g\. postgres:\/\//,
  ],
  [
    'DATABASE_URL not a Postgres URL',
    ['worker'],
    { DATABASE_URL: 'mysql://db/gridbot' },
    /DATABASE_URL: expected a postgres or postgresql URL/,
  ],
  [
    'REDIS_URL not a URL',
    ['scheduler'],
    { REDIS_URL: 'localhost:6379' },
    /REDIS_URL: expected a redis or rediss URL/,
  ],
  ['HEALTH_PORT not a port', ['worker'], { HEALTH_PORT: 'eighty' }, /HEALTH_PORT/],
  ['LOG_LEVEL unknown', ['worker'], { LOG_LEVEL: 'loud' }, /LOG_LEVEL: .*"info"/],
  [
    'WORKER_CONCURRENCY zero',
    ['worker'],
    { WORKER_CONCURRENCY: '0' },
    /WORKER_CONCURRENCY: Too small: expected number to be >=1/,
  ],
  ['AGENT_RUNTIME unknown', ['worker'], { AGENT_RUNTIME: 'vm' }, /AGENT_RUNTIME/],
  [
    'QUEUE_PREFIX with a colon',
    ['worker'],
    { QUEUE_PREFIX: 'a:b' },
    /QUEUE_PREFIX: must not contain ":"/,
  ],
  [
    'TELEGRAM_MODE unknown',
    ['gateway', '--channel', 'telegram'],
    { TELEGRAM_MODE: 'carrier-pigeon' },
    /TELEGRAM_MODE/,
  ],
  [
    'TELEGRAM_WEBHOOK_URL missing in webhook mode',
    ['gateway', '--channel', 'telegram'],
    { TELEGRAM_MODE: 'webhook' },
    /TELEGRAM_WEBHOOK_URL/,
  ],
  [
    'LLM_PROVIDER anthropic without its key',
    ['worker'],
    { LLM_PROVIDER: 'anthropic' },
    /ANTHROPIC_API_KEY/,
  ],
  ['DASHBOARD_TOKEN too short', ['dashboard'], { DASHBOARD_TOKEN: 'short' }, /DASHBOARD_TOKEN/],
  [
    'SHUTDOWN_TIMEOUT_MS negative',
    ['worker'],
    { SHUTDOWN_TIMEOUT_MS: '-5' },
    /SHUTDOWN_TIMEOUT_MS/,
  ],
];

describe('a wrong environment stops the role, naming the variable', () => {
  it.each(ENV_CASES)('%s', async (_name, args, change, expected) => {
    const { code, output } = await runGridbot(args, env(change));
    expect(code).toBe(1);
    expect(output).toMatch(expected);
    expectClear(output);
  });

  it('names every wrong variable at once, not only the first', async () => {
    const { code, output } = await runGridbot(
      ['worker'],
      env({ LOG_LEVEL: 'loud', WORKER_CONCURRENCY: '0', DATABASE_URL: undefined }),
    );
    expect(code).toBe(1);
    for (const name of ['LOG_LEVEL', 'WORKER_CONCURRENCY', 'DATABASE_URL'])
      expect(output).toContain(`${name}:`);
  });
});

const CLI_CASES: Array<[string, string[], RegExp]> = [
  ['an unknown command', ['frobnicate'], /Unknown command "frobnicate"/],
  ['an unknown flag', ['threads', 'list', '--frobnicate'], /Unknown option '--frobnicate'/],
  ['a JID without a channel', ['threads', 'register', 'nonsense'], /Invalid JID "nonsense"/],
  ['a JID of an unknown shape', ['threads', 'register', 'telegram:'], /Invalid JID "telegram:"/],
  ['register without a JID', ['threads', 'register'], /needs a thread JID|JID/],
  [
    'a cron with too few fields',
    ['tasks', 'add', 'telegram:-1', '--prompt', 'x', '--cron', '* *'],
    /cron|schedule/i,
  ],
  [
    'two schedules at once',
    ['tasks', 'add', 'telegram:-1', '--prompt', 'x', '--cron', '0 9 * * *', '--every', '1000'],
    /Give exactly one of --cron/,
  ],
  ['a task id that is not a number', ['tasks', 'pause', 'twelve'], /numeric task id/],
  ['tasks pause without an id', ['tasks', 'pause'], /needs a task id/],
  [
    'an unknown time zone',
    ['tasks', 'add', 'telegram:-1', '--prompt', 'x', '--every', '60000', '--tz', 'Mars/Olympus'],
    /Unknown time zone "Mars\/Olympus"/,
  ],
  ['gateway without --channel', ['gateway'], /needs --channel/],
  ['restore without a file', ['restore'], /restore|file/i],
];

describe('a malformed command is refused with a usage message and exit code 2', () => {
  it.each(CLI_CASES)('%s', async (_name, args, expected) => {
    const { code, output } = await runGridbot(args, env({}));
    expect(code).toBe(2);
    expect(output).toMatch(expected);
    expectClear(output);
  });
});
