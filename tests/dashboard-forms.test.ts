/**
 * The dashboard's forms in a browser, as an operator uses them: registering a chat by JID
 * with a name (and being asked before unregistering one), editing a thread's settings,
 * and adding a task whose next runs are previewed and which then runs in its chat.
 */
import { join } from 'node:path';
import { wallTimeIn } from '@gridbot/core';
import { registerThread } from '@gridbot/db';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser, loggedInContext } from './support/browser.ts';
import { freePort } from './support/free-port.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const BROWSER_ZONE = 'America/New_York';
const team: ChatSpec = {
  chatId: -800600,
  type: 'supergroup',
  title: 'Ops room',
  userId: 995,
  firstName: 'Maya',
};
const nightShift: ChatSpec = {
  chatId: -800601,
  type: 'supergroup',
  title: 'Night shift',
  userId: 996,
  firstName: 'Ola',
};

let h: PipelineHarness;
let base: string;
let browser: Browser;
let context: BrowserContext;
let teamId: number;

beforeAll(async () => {
  h = await PipelineHarness.create();
  teamId = (await registerThread(h.db.db, { jid: `telegram:${team.chatId}`, title: 'Ops room' }))
    .id;
  const port = String(await freePort());
  await Promise.all([
    h.start(['dashboard'], { HEALTH_PORT: port }),
    h.start(['gateway', '--channel', 'telegram']),
    h.start(['worker']),
    h.start(['scheduler']),
  ]);
  base = `http://127.0.0.1:${port}`;
  browser = await launchBrowser();
  context = await loggedInContext(browser, base, HARNESS_DASHBOARD_TOKEN, {
    viewport: { width: 1280, height: 900 },
    timezoneId: BROWSER_ZONE,
  });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The form's error as the page shows it. */
async function formError(page: Page, form: string): Promise<string> {
  const box = page.locator(`${form} .form-error`);
  await box.waitFor();
  return (await box.textContent()) ?? '';
}

async function threadRow(jid: string) {
  return h.db.db.selectFrom('threads').selectAll().where('jid', '=', jid).executeTakeFirst();
}

describe('dashboard forms', () => {
  it('registers a chat by JID with its name, which is then answered; unregistering asks first', async () => {
    const jid = `telegram:${nightShift.chatId}`;
    const page = await context.newPage();
    await page.goto(`${base}/threads`);
    await page.locator('#add-thread summary').click();
    await page.fill('#new-thread-form input[name=jid]', 'telegram:night shift');
    await page.click('#new-thread-form button[type=submit]');
    expect(await formError(page, '#new-thread-form')).toMatch(/invalid characters/);
    await page.fill('#new-thread-form input[name=jid]', jid);
    await page.fill('#new-thread-form input[name=title]', 'Night shift');
    await page.uncheck('#new-thread-form input[name=requiresTrigger]');
    await page.click('#new-thread-form button[type=submit]');
    await page.getByRole('link', { name: 'Night shift' }).waitFor();
    expect(await threadRow(jid)).toMatchObject({ registered: true, requires_trigger: false });

    await h.telegram.say(nightShift, 'is the backup done?');
    const [reply] = await waitFor('the newly registered chat to be answered', () => {
      const sent = h.telegram.botMessages(nightShift.chatId);
      return sent.length > 0 && sent;
    });
    expect(reply!.text).toContain('is the backup done?');

    await page.getByRole('link', { name: 'Night shift' }).click();
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Unregister', exact: true }).click();
    expect(asked).toEqual([
      'Unregister Night shift? Its new messages will no longer be stored or answered, and its tasks stop running.',
    ]);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Unregister', exact: true }).click();
    await page.getByRole('button', { name: 'Register', exact: true }).waitFor();
    expect((await threadRow(jid))?.registered).toBe(false);
    const unregistrations = await h.db.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'thread.unregistered')
      .where('target', '=', `thread:${jid}`)
      .execute();
    expect(unregistrations).toHaveLength(1);
    await page.close();
  });

  it('edits a thread’s setting, refusing a value out of range or unknown', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/threads/${teamId}`);
    // Out of range: the browser holds the form back, naming the limit.
    const temperature = page.locator('#config-form input[name=temperature]');
    await temperature.fill('3');
    await page.click('#config-form button[type=submit]');
    expect(
      await temperature.evaluate((input: { validationMessage: string }) => input.validationMessage),
    ).toMatch(/2/);
    // What only the server can judge: the page shows its reason.
    await temperature.fill('');
    await page.fill('#config-form input[name=timezone]', 'Mars/Olympus');
    await page.click('#config-form button[type=submit]');
    expect(await formError(page, '#config-form')).toMatch(/timezone must be an IANA time zone/);
    expect((await threadRow(`telegram:${team.chatId}`))?.config).toEqual({});
    await page.fill('#config-form input[name=timezone]', '');

    await page.fill('#config-form input[name=temperature]', '0.4');
    await page.click('#config-form button[type=submit]');
    const row = page.locator('#thread-config-table tr[data-key=temperature]');
    await waitFor('the page to show the thread’s value', async () => {
      return (await row.locator('.config-source').textContent()) === 'thread';
    });
    expect(await row.locator('.config-value').textContent()).toBe('0.4');
    expect((await threadRow(`telegram:${team.chatId}`))?.config).toEqual({ temperature: 0.4 });
    await page.close();
  });

  it('adds a task: a bad cron is explained, the next runs are previewed, and it runs in its chat', async () => {
    const prompt = 'Remind everyone to file their hours';
    const page = await context.newPage();
    await page.goto(`${base}/tasks`);
    await page.locator('#add-task summary').click();
    const form = '#task-form';
    expect(await page.inputValue(`${form} select[name=timezone]`)).toBe(BROWSER_ZONE);
    await page.selectOption(`${form} select[name=threadId]`, String(teamId));
    await page.fill(`${form} textarea[name=prompt]`, prompt);
    await page.selectOption(`${form} select[name=kind]`, 'cron');
    await page.fill(`${form} input[name=cron]`, '0 9 * *');
    const previewError = page.locator('#task-preview .preview-error');
    await previewError.waitFor();
    expect(await previewError.textContent()).toMatch(/it has 4 field\(s\)/);
    await page.click(`${form} button[type=submit]`);
    expect(await formError(page, form)).toMatch(/it has 4 field\(s\)/);

    await page.fill(`${form} input[name=cron]`, '0 9 * * 1-5');
    const runs = page.locator('#task-preview li time');
    await waitFor('five runs previewed', async () => (await runs.count()) === 5);
    for (const at of await runs.evaluateAll((times) =>
      times.map((time) => time.getAttribute('datetime') ?? ''),
    )) {
      const local = new Date(at).toLocaleString('en-US', {
        timeZone: BROWSER_ZONE,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      });
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    }

    // Once, a few seconds from now as a clock in Tokyo shows it.
    await page.selectOption(`${form} select[name=kind]`, 'once');
    await page.selectOption(`${form} select[name=timezone]`, 'Asia/Tokyo');
    const due = new Date(Math.ceil((Date.now() + 12_000) / 1_000) * 1_000);
    const tokyo = wallTimeIn(due, 'Asia/Tokyo');
    await page.fill(`${form} input[name=at]`, tokyo.replace(' ', 'T'));
    await waitFor('the one run previewed', async () => {
      const items = await page.locator('#task-preview li').allTextContents();
      return items.length === 1 && items[0]!.includes(`(${tokyo} in Asia/Tokyo)`);
    });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'task-form.png'), fullPage: true });
    await page.click(`${form} button[type=submit]`);
    await page.locator('#tasks tr.task', { hasText: prompt }).waitFor();
    const task = await h.db.db
      .selectFrom('scheduled_tasks')
      .selectAll()
      .where('prompt', '=', prompt)
      .executeTakeFirstOrThrow();
    expect(task).toMatchObject({ schedule_kind: 'once', timezone: 'Asia/Tokyo' });
    expect(task.next_run_at?.toISOString()).toBe(due.toISOString());

    const [reply] = await waitFor(
      'the task to run in its chat',
      () => {
        const sent = h.telegram.botMessages(team.chatId);
        return sent.length > 0 && sent;
      },
      90_000,
    );
    expect(reply!.text).toContain(prompt);
    await page.close();
  }, 120_000);
});
