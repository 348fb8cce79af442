/**
 * A message the agent fails on every attempt (a bug on that input) must not block its
 * thread: the thread is told once, the message becomes a dead letter the operator sees on
 * the dashboard, later messages are answered, and a retry answers it once it can be.
 */
import { rm, writeFile } from 'node:fs/promises';
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { REPO_ROOT } from './support/gridbot-process.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -310100,
  type: 'group',
  title: 'Poison',
  userId: 931,
  firstName: 'Pia',
};
let h: PipelineHarness;
let dashboard: string;
const fixedMarker = `/tmp/gridbot-poison-fixed-${process.pid}`;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/crash-on-poison.mjs ${fixedMarker}`,
  });
  const port = await freePort();
  await h.start(['dashboard'], { HEALTH_PORT: String(port) });
  dashboard = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await h?.close();
  await rm(fixedMarker, { force: true });
});

const texts = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
const api = (path: string, method = 'GET') =>
  fetch(`${dashboard}${path}`, {
    method,
    headers: { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` },
  });
async function openLetters(): Promise<
  Array<{ id: number; messages: number; attempts: number; error: string }>
> {
  const res = await api('/api/dead-letters');
  return ((await res.json()) as { deadLetters: [] }).deadLetters;
}

describe('a poison message', () => {
  it('tells the thread once, does not block it, is listed as a dead letter, and is answered on retry once fixed', async () => {
    await h.telegram.say(chat, '@Andy hello');
    await waitFor('the first answer', () => texts().length === 1, 20_000);

    await h.telegram.say(chat, '@Andy POISON one');
    await waitFor('the failure notice', () => texts().length === 2, 30_000);
    expect(texts()[1]).toContain('Sorry, I could not answer');
    const [first] = await waitFor('the dead letter', async () => {
      const letters = await openLetters();
      return letters.length === 1 && letters;
    });
    expect(first).toMatchObject({ messages: 1, attempts: 3 });
    expect(first!.error).toContain('exited with code 3');

    // The thread is not blocked: the next message is answered.
    await h.telegram.say(chat, '@Andy after the first pill');
    await waitFor(
      'the next answer',
      () => texts().some((t) => t.includes('after the first pill')),
      20_000,
    );
    // Retrying now would answer out of turn, after later replies: refused, with why.
    const late = await api(`/api/dead-letters/${first!.id}/retry`, 'POST');
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('later messages of this thread were answered since');

    await h.telegram.say(chat, '@Andy POISON two');
    const second = await waitFor(
      'the second dead letter',
      async () => {
        const letters = await openLetters();
        return letters.length === 2 && letters[0];
      },
      30_000,
    );
    // The notice is committed with the dead letter and sent just after it.
    const notices = () => texts().filter((t) => t.includes('Sorry, I could not answer'));
    await waitFor('the second failure notice', () => notices().length === 2);

    // The agent is fixed; the operator retries from the dashboard.
    await writeFile(fixedMarker, 'fixed');
    const retry = await api(`/api/dead-letters/${second.id}/retry`, 'POST');
    expect(retry.status).toBe(200);
    await waitFor(
      'the retried message answered',
      () => texts().some((t) => t.includes('ok: @Andy POISON two')),
      20_000,
    );
    expect(texts().filter((t) => t.includes('POISON two'))).toHaveLength(1);
    expect((await openLetters()).map((l) => l.id)).toEqual([first!.id]);
    expect(notices()).toHaveLength(2);
    const again = await api(`/api/dead-letters/${second.id}/retry`, 'POST');
    expect(again.status).toBe(409);

    // The page lists the open one with its retry button.
    const page = await fetch(`${dashboard}/dead-letters`, {
      headers: { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` },
    });
    const body = await page.text();
    expect(body).toContain(`data-api="/api/dead-letters/${first!.id}/retry"`);
    expect(body).not.toContain(`data-api="/api/dead-letters/${second.id}/retry"`);
  });
});
