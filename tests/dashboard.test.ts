import { join } from 'node:path';
import { registerThread } from '@gridbot/db';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser } from './support/browser.ts';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { TEST_MODE } from './support/test-mode.ts';
import { waitFor, within } from './support/wait-for.ts';

const team: ChatSpec = {
  chatId: -800500,
  type: 'supergroup',
  title: 'Ops room',
  userId: 990,
  firstName: 'Maya',
};
const newcomers: ChatSpec = {
  chatId: -800501,
  type: 'supergroup',
  title: 'Newcomers',
  userId: 991,
  firstName: 'Noor',
};

let h: PipelineHarness;
let dashboard: GridbotProcess;
let base: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  // Each step has its own bound, well inside the hook's: a set-up that once outlasted the
  // hook in CI now fails naming the step that hung, and prints how long each one took.
  const began = Date.now();
  const step = async <T>(what: string, ms: number, run: () => Promise<T>): Promise<T> => {
    const value = await within(ms, `set-up step "${what}"`, run());
    console.log(`set-up: ${what} done after ${Date.now() - began} ms`);
    return value;
  };
  h = await step('harness', 20_000, () => PipelineHarness.create());
  await registerThread(h.db.db, { jid: `telegram:${team.chatId}`, title: 'Ops room' });
  const port = String(await freePort());
  [dashboard] = await step('roles ready', 40_000, () =>
    Promise.all([
      h.start(['dashboard'], { HEALTH_PORT: port }),
      h.start(['gateway', '--channel', 'telegram']),
      h.start(['worker']),
    ]),
  );
  base = `http://127.0.0.1:${port}`;
  browser = await step('browser launched', 70_000, () => launchBrowser());
  context = await browser.newContext();
  // The first page of a cold browser can take long on two busy cores (CI runs two suites at once).
  await step('logged in', 60_000, async () => {
    const page = await context.newPage();
    await logIn(page, HARNESS_DASHBOARD_TOKEN);
    await page.close();
  });
}, 170_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function logIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
}

describe('dashboard in a browser', () => {
  it('refuses a wrong token on the login page and accepts the right one', async () => {
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    await page.goto(`${base}/threads`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'not-the-dashboard-token');
    await page.click('button[type=submit]');
    await expect(page.locator('.error').textContent()).resolves.toContain(
      'That token is not right.',
    );
    expect(await fresh.cookies()).toEqual([]);
    await page.fill('#token', HARNESS_DASHBOARD_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/threads`);
    expect(await page.locator('h1').textContent()).toBe('Threads');
    await fresh.close();
  });

  it('shows the fleet on the overview', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const roles = await page.locator('#fleet tbody tr td:first-child').allTextContents();
    expect(roles.sort()).toEqual(['dashboard', 'gateway-telegram', 'worker']);
    // The first-run checklist says what runs and what is missing.
    const checklist = await page.locator('#checklist li').allTextContents();
    expect(checklist).toEqual([
      'Channels ✓ gateways running: telegram; the web chat always',
      'Model — offline, answers by repeating what it was told: set ANTHROPIC_API_KEY or OPENAI_API_KEY',
      'Agents — as plain processes, not isolated: start Docker and restart the workers',
      `Mode ✓ ${TEST_MODE}`,
      expect.stringMatching(/^Backups — none yet: the scheduler makes one a day/),
    ]);
    await page.close();
  });

  it('lists the GridBot queues in Bull Board and retries a failed job from the UI', async () => {
    const transport = await h.transport();
    const queue = transport.createQueue('drill');
    let failing = true;
    const worker = transport.createWorker(
      'drill',
      async () => {
        if (failing) throw new Error('the drill fails on purpose');
        return 'done';
      },
      {},
    );
    try {
      const job = await queue.add('exercise', { n: 1 });
      await waitFor('the job to fail', async () => (await job.getState()) === 'failed');
      failing = false;
      const page = await context.newPage();
      await page.goto(`${base}/queues`);
      const names = page.locator('a');
      await waitFor('the queue list', async () =>
        (await names.allTextContents()).includes('drill'),
      );
      const listed = await names.allTextContents();
      for (const name of ['threads', 'tasks', 'system', 'outbound-telegram', 'outbound-web']) {
        expect(listed).toContain(name);
      }
      await page.goto(`${base}/queues/queue/drill?status=failed`);
      await page.getByText('the drill fails on purpose').first().waitFor();
      await page.getByRole('button', { name: 'Retry all' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitFor(
        'the retried job to complete',
        async () => (await job.getState()) === 'completed',
      );
      await page.close();
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('shows a thread’s messages, and registering a thread lets its next message be answered', async () => {
    await h.telegram.say(team, 'the deploy is at noon');
    await h.telegram.say(newcomers, '@Andy is anyone here?');
    await waitFor('the gateway to store the message', async () => {
      const row = await h.db.db
        .selectFrom('messages')
        .select('id')
        .where('content', '=', 'the deploy is at noon')
        .executeTakeFirst();
      return row !== undefined;
    });
    const page = await context.newPage();
    await page.goto(`${base}/threads`);
    await page.getByRole('link', { name: 'Ops room' }).click();
    const messages = page.locator('#thread-messages tr.message');
    expect((await messages.allTextContents()).join('\n')).toContain('the deploy is at noon');

    await page.goto(`${base}/threads`);
    await waitFor('the new chat to be listed', async () => {
      await page.reload();
      return (await page.getByRole('link', { name: 'Newcomers' }).count()) > 0;
    });
    await page.getByRole('link', { name: 'Newcomers' }).click();
    expect(h.telegram.botMessages(newcomers.chatId)).toEqual([]);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByRole('button', { name: 'Unregister', exact: true }).waitFor();
    await h.telegram.say(newcomers, '@Andy now?');
    const [reply] = await waitFor('a reply in the newly registered chat', () => {
      const sent = h.telegram.botMessages(newcomers.chatId);
      return sent.length > 0 && sent;
    });
    expect(withoutTimes(reply!.text)).toContain('[Noor] @Andy now?');
    await page.close();
  });

  it('answers in the web chat, pushing the reply without a reload', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/chat?chat=browser-test`);
    await page.evaluate(() => {
      (globalThis as unknown as { stillHere: boolean }).stillHere = true;
    });
    await page.fill('#chat-input', 'hello from the browser');
    await page.keyboard.press('Enter');
    const reply = page.locator('.chat-message.assistant');
    await reply.first().waitFor({ timeout: 30_000 });
    expect(withoutTimes((await reply.first().textContent()) ?? '')).toContain(
      '[Operator] hello from the browser',
    );
    expect(
      await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere),
    ).toBe(true);
    // A reload shows the same conversation from the database, once.
    await page.reload();
    await page.locator('.chat-message.assistant').first().waitFor();
    expect(await page.locator('.chat-message.user').allTextContents()).toEqual([
      'hello from the browser',
    ]);
    expect(await page.locator('.chat-message.assistant').count()).toBe(1);
    await page.close();
  });

  it('offers /history export in the web chat as a download whose lines are the stored messages', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/chat?chat=browser-test`);
    await page.locator('.chat-message.assistant').first().waitFor();
    await page.fill('#chat-input', '/history export jsonl');
    await page.keyboard.press('Enter');
    const link = page.locator('.chat-message.assistant a.chat-document');
    await link.waitFor({ timeout: 30_000 });
    expect(await link.textContent()).toMatch(/^history-web_browser-test-[\d-]+\.jsonl \(\d+ KB\)$/);
    const href = (await link.getAttribute('href'))!;
    const file = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return {
        disposition: response.headers.get('content-disposition'),
        text: await response.text(),
      };
    }, href);
    expect(file.disposition).toMatch(/^attachment; filename="history-web_browser-test-/);
    const stored = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select(['messages.id', 'messages.content'])
      .where('threads.jid', '=', 'web:browser-test')
      .orderBy('messages.id')
      .execute();
    const lines = file.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map(({ id, text }) => ({ id, content: text }))).toEqual(stored);
    // Another chat's file is not served under this chat.
    const elsewhere = await page.evaluate(
      (url) => fetch(url.replace('browser-test', 'other-chat')).then((r) => r.status),
      href,
    );
    expect(elsewhere).toBe(404);
    // A reload shows the link again, from the database.
    await page.reload();
    await page.locator('a.chat-document').waitFor();
    expect(await page.locator('a.chat-document').getAttribute('href')).toBe(href);
    await page.close();
  });

  it('draws the token usage chart from the ledger', async () => {
    const { db } = h.db;
    const thread = await db
      .selectFrom('threads')
      .select('id')
      .where('jid', '=', `telegram:${team.chatId}`)
      .executeTakeFirstOrThrow();
    const day = (offset: number) => {
      const d = new Date();
      d.setUTCHours(12, 0, 0, 0);
      d.setUTCDate(d.getUTCDate() - offset);
      return d;
    };
    const rows = [
      { provider: 'anthropic', input: 1000, output: 200, at: day(1) },
      { provider: 'anthropic', input: 300, output: 100, at: day(1) },
      { provider: 'openai', input: 50, output: 25, at: day(1) },
      { provider: 'anthropic', input: 2000, output: 500, at: day(0) },
      { provider: 'openai', input: 400, output: 100, at: day(0) },
    ];
    await db
      .insertInto('token_ledger')
      .values(
        rows.map((r) => ({
          scope: 'thread',
          thread_id: thread.id,
          run_id: null,
          provider: r.provider,
          model: `${r.provider}-model`,
          input_tokens: r.input,
          output_tokens: r.output,
          cost: null,
          created_at: r.at,
        })),
      )
      .execute();
    const page = await context.newPage();
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(`${base}/usage`);
    await page
      .locator('#usage-chart[data-ready="true"]')
      .waitFor()
      .catch(async (error: Error) => {
        // Say what the page showed instead of a chart.
        const shown = await page.locator('.error').allTextContents();
        throw new Error(`${error.message}\npage errors: ${JSON.stringify(shown)}`);
      });
    const data = await page.evaluate(() => {
      // Runs in the page; typed by hand because the tests compile without the DOM library.
      const page = globalThis as unknown as {
        document: { getElementById(id: string): unknown };
        Chart: { getChart(c: unknown): { data: { labels: string[]; datasets: unknown[] } } };
      };
      const chart = page.Chart.getChart(page.document.getElementById('usage-chart'));
      return {
        labels: chart.data.labels,
        datasets: (chart.data.datasets as Array<{ label: string; data: number[] }>).map((d) => ({
          label: d.label,
          data: d.data,
        })),
      };
    });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'token-usage.png'), fullPage: true });
    const yesterday = day(1).toISOString().slice(0, 10);
    const today = day(0).toISOString().slice(0, 10);
    const at = (label: string, date: string) => {
      const dataset = data.datasets.find((d) => d.label === label);
      return dataset?.data[data.labels.indexOf(date)];
    };
    expect(data.labels.slice(-2)).toEqual([yesterday, today]);
    expect(at('anthropic', yesterday)).toBe(1600);
    expect(at('openai', yesterday)).toBe(75);
    expect(at('anthropic', today)).toBe(2500);
    expect(at('openai', today)).toBe(500);
    await page.close();
  });

  it('refuses a change sent from the page without the CSRF token', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/chat?chat=csrf-test`);
    const statuses = await page.evaluate(async () => {
      const send = (headers: Record<string, string>) =>
        fetch('/api/chat/csrf-test/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ text: 'sneaky' }),
        }).then((r) => r.status);
      return [await send({}), await send({ 'x-xsrf-token': 'forged' })];
    });
    expect(statuses).toEqual([403, 403]);
    await page.close();
  });

  it('serves health, readiness and metrics on the dashboard port', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // Metrics say much about an install: on the dashboard's port they need its token.
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` },
    });
    expect(await metrics.text()).toContain('role="dashboard"');
    expect(dashboard.output()).not.toContain(HARNESS_DASHBOARD_TOKEN);
  });
});
