/**
 * The dashboard on a phone and on a desk: every page, at 390 and 1280 pixels wide, fits
 * without sideways scrolling (measured in Chromium), with screenshots kept for people to
 * look at; and no page asks anything of a host other than the dashboard's.
 */
import { join } from 'node:path';
import { insertOutbox, registerThread } from '@gridbot/db';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser, loggedInContext } from './support/browser.ts';
import { freePort } from './support/free-port.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';

const WIDTHS = [390, 1280] as const;

let h: PipelineHarness;
let base: string;
let browser: Browser;
let threadId: number;

beforeAll(async () => {
  h = await PipelineHarness.create();
  // Content that stretches pages: a long chat id and title, a long reply.
  const thread = await registerThread(h.db.db, {
    jid: 'telegram:-1009876543210987654',
    title: 'A group whose name is long enough to push a narrow table past the edge of a phone',
  });
  threadId = thread.id;
  await insertOutbox(h.db.db, {
    threadId,
    runId: null,
    channel: 'telegram',
    jid: 'telegram:-1009876543210987654',
    text: `https://example.invalid/${'a-very-long-path-segment-without-spaces'.repeat(4)}`,
    replyTo: null,
  });
  const port = String(await freePort());
  await h.start(['dashboard'], { HEALTH_PORT: port });
  base = `http://127.0.0.1:${port}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

function loggedIn(width: number): Promise<BrowserContext> {
  return loggedInContext(browser, base, HARNESS_DASHBOARD_TOKEN, {
    viewport: { width, height: 800 },
    timezoneId: 'Asia/Tokyo',
  });
}

const PAGES = () => [
  '/',
  '/threads',
  `/threads/${threadId}`,
  '/users',
  '/tasks',
  '/approvals',
  '/dead-letters',
  '/usage',
  '/pairing',
  '/chat?chat=layout-test',
];

describe('times on the dashboard', () => {
  it('are shown in the browser’s zone, which the page names, with UTC in the tooltip', async () => {
    const context = await loggedIn(1280);
    const page = await context.newPage();
    await page.goto(`${base}/threads`);
    await page.locator('#time-zone').waitFor();
    expect(await page.locator('#time-zone').textContent()).toBe(
      "Times are in Asia/Tokyo (this browser's zone).",
    );
    const time = page.locator('time[datetime]').first();
    const iso = (await time.getAttribute('datetime'))!;
    const tokyo = new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString();
    expect(await time.textContent()).toBe(tokyo.slice(0, 19).replace('T', ' '));
    expect(await time.getAttribute('title')).toBe(`${iso.slice(0, 19).replace('T', ' ')} UTC`);
    await context.close();
  });
});

describe.each(WIDTHS)('every dashboard page at %i px', (width) => {
  it('fits the window without sideways scrolling, asking only the dashboard for anything', async () => {
    const context = await loggedIn(width);
    const outside: string[] = [];
    context.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('data:'))
        outside.push(request.url());
    });
    const overflowing: string[] = [];
    for (const path of PAGES()) {
      const page = await context.newPage();
      const response = await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
      expect(response?.status(), path).toBe(200);
      // Folded forms ("Add a task", "Register a chat") are measured open.
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { querySelectorAll(s: string): Array<{ open: boolean }> };
        };
        for (const details of g.document.querySelectorAll('details')) details.open = true;
      });
      const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
        type Box = { right: number };
        type Element = {
          tagName: string;
          id: string;
          className: string;
          getBoundingClientRect(): Box;
          parentElement: Element | null;
        };
        const g = globalThis as unknown as {
          document: {
            documentElement: { scrollWidth: number };
            querySelectorAll(s: string): Element[];
          };
          innerWidth: number;
        };
        // The outermost elements reaching past the window's right edge, to say what to fix.
        const past = (e: Element) => e.getBoundingClientRect().right > g.innerWidth + 1;
        const culprits = [...g.document.querySelectorAll('main *')]
          .filter((e) => past(e) && !(e.parentElement && past(e.parentElement)))
          .slice(0, 5)
          .map(
            (e) =>
              `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${e.className}` : ''}`,
          );
        return {
          scrollWidth: g.document.documentElement.scrollWidth,
          innerWidth: g.innerWidth,
          culprits,
        };
      });
      if (scrollWidth > innerWidth)
        overflowing.push(`${path}: ${scrollWidth} > ${innerWidth} (${culprits.join(', ')})`);
      const name = path === '/' ? 'overview' : path.slice(1).replace(/[^\w]+/g, '-');
      await page.screenshot({
        path: join(ARTIFACTS_DIR, `dashboard-${width}-${name}.png`),
        fullPage: true,
      });
      await page.close();
    }
    // Bull Board is linked back to the dashboard, and asks no outside host either.
    const board = await context.newPage();
    await board.goto(`${base}/queues`, { waitUntil: 'networkidle' });
    const boardPage = await board.content();
    await board.close();
    await context.close();
    expect(overflowing).toEqual([]);
    expect(outside).toEqual([]);
    expect(boardPage).toContain('Back to the dashboard');
  });
});
