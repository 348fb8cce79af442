import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { sleep, waitFor } from '../support/wait-for.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
});

afterAll(async () => {
  await h?.close();
});

describe('bad configuration stops a role with a message naming the fix', () => {
  it('rejects an invalid JID on the command line', async () => {
    const result = await h.cli(['threads', 'register', 'telegram:not-a-number']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Invalid JID "telegram:not-a-number"');
    expect(result.output).toContain('integer');
  });

  it('refuses to start a Telegram gateway without TELEGRAM_BOT_TOKEN', async () => {
    const result = await h.cli(['gateway', '--channel', 'telegram'], { TELEGRAM_BOT_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('TELEGRAM_BOT_TOKEN is not set');
  });

  it('names every malformed variable', async () => {
    const result = await h.cli(['gateway', '--channel', 'telegram'], {
      TELEGRAM_BOT_TOKEN: 'not-a-token',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://localhost',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('TELEGRAM_BOT_TOKEN: expected a bot token');
    expect(result.output).toContain('LOG_LEVEL');
    expect(result.output).toContain('REDIS_URL: expected a redis or rediss URL');
    expect(result.output).not.toContain('    at '); // a message, not a stack trace
  });

  it('refuses to start with a plugin that cannot load, naming the plugin', async () => {
    const failing = './tests/fixtures/plugins/failing-create.ts';
    for (const role of [['gateway', '--channel', 'telegram'], ['start']]) {
      const result = await h.cli(role, {
        PLUGINS: `mention,${failing}`,
        PLUGIN_CONFIG: '{"mention": {"triggerWords": ["hey"]}}',
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain(
        `gridbot: Plugin "${failing}" (PLUGINS): could not start plugin "failing-create": the API key in PLUGIN_CONFIG is missing`,
      );
    }
    const missing = await h.cli(['gateway', '--channel', 'telegram'], {
      PLUGINS: './plugins/nope.ts',
    });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain(
      `Plugin "./plugins/nope.ts" (PLUGINS): not found (no file ${REPO_ROOT}plugins/nope.ts; built-ins: auto-reply, mention)`,
    );
    const badConfig = await h.cli(['gateway', '--channel', 'telegram'], {
      PLUGINS: 'auto-reply',
      PLUGIN_CONFIG: '{"auto-reply": {"rules": [{"reply": "x"}]}}',
    });
    expect(badConfig.code).toBe(1);
    expect(badConfig.output).toContain(
      'could not start plugin "auto-reply": rules.0: each rule needs exactly one of "keyword" or "pattern", and a "reply"',
    );
  });

  it('exits non-zero naming REDIS_URL when Redis is unreachable at start', async () => {
    const port = await freePort();
    for (const role of [['worker'], ['gateway', '--channel', 'telegram']]) {
      const result = await h.cli(role, { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(result.code).toBe(1);
      expect(result.output).toContain('REDIS_URL: cannot reach Redis');
    }
  });

  it('refuses to run on an outdated schema and says to run gridbot migrate', async () => {
    const empty = await createTestDatabase({ migrated: false });
    try {
      const result = await h.cli(['worker'], { DATABASE_URL: empty.url });
      expect(result.code).toBe(1);
      expect(result.output).toContain('Run `gridbot migrate` first');
      const migrated = await h.cli(['migrate'], { DATABASE_URL: empty.url });
      expect(migrated.output).toContain(
        'Applied: 0001-initial, 0002-approval-delivery, 0003-budget-notice, 0004-pairing, 0005-recovery-indexes, 0006-dead-letters',
      );
    } finally {
      await empty.drop();
    }
  });
});

describe('an agent that exits without run.finish', () => {
  it('fails the run, retries it, then tells the thread once', async () => {
    const chat: ChatSpec = {
      chatId: -300100,
      type: 'group',
      title: 'Broken',
      userId: 900,
      firstName: 'Eve',
    };
    await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
    await h.start(['gateway', '--channel', 'telegram']);
    await h.start(['worker'], {
      AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/exit-early.mjs`,
    });
    await h.telegram.say(chat, '@Andy are you there?');
    const [notice] = await waitFor(
      'the failure notice',
      () => {
        const all = h.telegram.botMessages(chat.chatId);
        return all.length > 0 && all;
      },
      30_000,
    );
    expect(notice!.text).toContain('Sorry, I could not answer');
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select(['id', 'status', 'attempt', 'error'])
      .orderBy('id')
      .execute();
    expect(runs.map((r) => [r.status, r.attempt])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['failed', 3],
    ]);
    // The chat hears which run failed; the exit code and stderr stay in the run's record.
    expect(notice!.text).toContain(`(run ${runs[2]!.id})`);
    expect(notice!.text).not.toMatch(/exited|boom|code 3/);
    expect(runs[0]!.error).toContain('boom');
    expect(runs[2]!.error).toContain('exited with code 3');
    await sleep(3_000);
    expect(h.telegram.botMessages(chat.chatId)).toHaveLength(1);
    const thread = await h.db.db
      .selectFrom('threads')
      .select('status')
      .where('jid', '=', `telegram:${chat.chatId}`)
      .executeTakeFirstOrThrow();
    expect(thread.status).toBe('failed');
  });
});
