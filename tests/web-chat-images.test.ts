/**
 * The web chat in a browser: images attached, staged by the dashboard, taken in by its
 * gateway like any platform's, shown to the model and back on the page; and replies'
 * Markdown rendered, code blocks with a copy button, raw HTML shown as text.
 */

import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { freePort } from './support/free-port.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import { waitFor } from './support/wait-for.ts';

const SEEN = 'A small blue square on white.';
const MARKDOWN = 'Here is **the code**:\n\n```js\nconst ok = 1 < 2;\n```\n\n<b>not markup</b>';

let h: PipelineHarness;
let anthropic: FakeLlmServer;
let browser: Browser;
let page: Page;
let base: string;
let square: Buffer;

const imageRequests = () =>
  anthropic.requests.filter((r) => JSON.stringify(r.body).includes('"type":"image"'));

beforeAll(async () => {
  square = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2050d0' } })
    .png()
    .toBuffer();
  h = await PipelineHarness.create();
  anthropic = await startFakeAnthropic((body) => {
    const wire = JSON.stringify(body);
    if (wire.includes('"type":"image"')) return { text: SEEN };
    if (wire.includes('markdown please')) return { text: MARKDOWN };
    const messages = body.messages as { content: unknown }[];
    return { text: `Told: ${JSON.stringify(messages.at(-1)?.content ?? '')}` };
  });
  const port = String(await freePort());
  await h.start(['dashboard'], { HEALTH_PORT: port });
  base = `http://127.0.0.1:${port}`;
  await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-test',
    ANTHROPIC_API_KEY: 'sk-ant-web-images-test',
    ANTHROPIC_BASE_URL: anthropic.baseURL,
  });
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/login`);
  await page.fill('#token', HARNESS_DASHBOARD_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/login');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await anthropic?.close();
});

/** Posts a form from the logged-in page, as its script does; the status and error. */
function postFromPage(files: { name: string; type: string; bytes: number }[], text = 'hi') {
  return page.evaluate(
    async ({ files, text }) => {
      const form = new FormData();
      form.append('text', text);
      for (const f of files)
        form.append('image', new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
      const { document } = globalThis as unknown as {
        document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };
      };
      const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
      const response = await fetch('/api/chat/web-images/messages', {
        method: 'POST',
        headers: { accept: 'application/json', 'x-xsrf-token': csrf },
        body: form,
      });
      return {
        status: response.status,
        error: ((await response.json()) as { error?: string }).error,
      };
    },
    { files, text },
  );
}

describe('images in the web chat', () => {
  it('shows an attached image to the model with its bytes, and on the page after a reload', async () => {
    await page.goto(`${base}/chat?chat=web-images`);
    await page.setInputFiles('#chat-images', {
      name: 'square.png',
      mimeType: 'image/png',
      buffer: square,
    });
    expect(await page.locator('#chat-attached').textContent()).toBe('Attached: square.png');
    await page.fill('#chat-input', 'what is in this picture?');
    await page.keyboard.press('Enter');
    const reply = page.locator('.chat-message.assistant');
    await reply.first().waitFor({ timeout: 30_000 });
    expect(await reply.first().textContent()).toContain(SEEN);

    const [shown] = imageRequests();
    const block = (shown!.body.messages as { content: Record<string, unknown>[] }[])[0]!
      .content[0] as { source: { media_type: string; data: string } };
    expect(block.source.media_type).toBe('image/png');
    expect(Buffer.from(block.source.data, 'base64')).toEqual(square);
    const artifact = await h.db.db
      .selectFrom('artifacts')
      .select(['id', 'storage_key', 'analysis'])
      .executeTakeFirstOrThrow();
    expect(artifact.storage_key).toMatch(/^\d+\/[0-9a-f]{64}\.png$/);
    expect(artifact.analysis).toBe(SEEN);

    // From the database: the user's bubble shows the stored image, which decodes.
    await page.reload();
    const image = page.locator('.chat-message.user img.chat-image');
    await image.waitFor();
    expect(await image.getAttribute('src')).toBe(`/api/chat/web-images/images/${artifact.id}`);
    await waitFor('the image to load', () =>
      image.evaluate(
        (element) => (element as unknown as { naturalWidth: number }).naturalWidth === 64,
      ),
    );
    // Another chat cannot fetch it.
    const elsewhere = await page.evaluate(
      (id) => fetch(`/api/chat/another-chat/images/${id}`).then((r) => r.status),
      artifact.id,
    );
    expect(elsewhere).toBe(404);
  });

  it('renders the reply’s Markdown: a code block with a working copy button, raw HTML as text', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.goto(`${base}/chat?chat=web-markdown`);
    await page.fill('#chat-input', 'markdown please');
    await page.keyboard.press('Enter');
    const reply = page.locator('.chat-message.assistant').first();
    await reply.waitFor({ timeout: 30_000 });
    expect(await reply.locator('strong').textContent()).toBe('the code');
    expect(await reply.locator('pre code').textContent()).toBe('const ok = 1 < 2;\n');
    expect(await reply.locator('b').count()).toBe(0);
    expect(await reply.textContent()).toContain('<b>not markup</b>');
    await reply.locator('.chat-copy').click();
    await waitFor(
      'the copy to say so',
      async () => (await reply.locator('.chat-copy').textContent()) === 'Copied',
    );
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied).toBe('const ok = 1 < 2;\n');
  });

  it('refuses too many images, a file that is no image and one over 10 MB, each saying why', async () => {
    const png = { name: 'a.png', type: 'image/png', bytes: 100 };
    expect(await postFromPage([png, png, png, png, png])).toEqual({
      status: 400,
      error: 'at most 4 images go with one message',
    });
    expect(await postFromPage([{ name: 'notes.txt', type: 'text/plain', bytes: 10 }])).toEqual({
      status: 415,
      error: 'notes.txt is not an image (text/plain); the web chat takes images',
    });
    expect(
      await postFromPage([{ name: 'huge.jpg', type: 'image/jpeg', bytes: 11 * 1024 * 1024 }]),
    ).toEqual({
      status: 413,
      error: 'huge.jpg is 11.0 MB; images of up to 10 MB are taken',
    });
    expect(await postFromPage([], '  ')).toEqual({
      status: 400,
      error: 'text: the message is empty',
    });
    // None of them was stored.
    const stored = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select('content')
      .where('threads.jid', '=', 'web:web-images')
      .where('role', '=', 'user')
      .execute();
    expect(stored).toHaveLength(1);
  });
});
