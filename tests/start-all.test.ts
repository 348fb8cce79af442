/**
 * `gridbot start`, the single-process install, with a Telegram channel: in every mode of
 * the matrix, the embedded one included (so the suite talks to it only as an operator
 * would: the CLI before it starts, the dashboard's API while it runs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -800100,
  type: 'supergroup',
  title: 'Laptop',
  userId: 970,
  firstName: 'Lena',
};

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  const registered = await h.cli(['threads', 'register', `telegram:${chat.chatId}`]);
  expect(registered.code, registered.output).toBe(0);
});

afterAll(async () => {
  await h?.close();
});

describe('gridbot start', () => {
  it('runs the Telegram gateway and a worker in one process and answers', async () => {
    const port = await freePort();
    const all = await h.start(['start'], { HEALTH_PORT: String(port) });
    await h.telegram.say(chat, '@Andy one process?');
    const [reply] = await waitFor('a reply', () => {
      const messages = h.telegram.botMessages(chat.chatId);
      return messages.length > 0 && messages;
    });
    expect(withoutTimes(reply!.text)).toContain('[Lena] @Andy one process?');
    // Full-text search and the export work on this mode's database (PGlite when embedded).
    await h.telegram.say(chat, '/history search process');
    const found = await waitFor('the search result', () => h.telegram.botMessages(chat.chatId)[1]);
    expect(found.text).toContain('Lena: @Andy one process?');
    await h.telegram.say(chat, '/history export jsonl');
    const exported = await waitFor('the export', () => h.telegram.botMessages(chat.chatId)[2]);
    const lines = exported
      .document!.content.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map(({ sender, role }) => ({ sender, role }))).toEqual([
      { sender: 'Lena', role: 'user' },
      { sender: 'assistant', role: 'assistant' },
    ]);
    expect(lines[0].text).toBe('@Andy one process?');
    const fleet = await fetch(`http://127.0.0.1:${port}/api/fleet`, {
      headers: { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` },
    });
    const { instances } = (await fleet.json()) as {
      instances: Array<{ role: string; pid: number; status: string }>;
    };
    expect(instances.map(({ role, pid, status }) => ({ role, pid, status }))).toEqual([
      { role: 'all', pid: all.child.pid, status: 'up' },
    ]);
    expect(await all.stop()).toBe(0);
  });

  it('takes admin commands beside a running start on Postgres, and names the dashboard on the embedded database', async () => {
    const all = await h.start(['start']);
    const listed = await h.cli(['threads', 'list']);
    if (h.env().DATABASE_URL) {
      // On a Postgres server, admin commands run beside it.
      expect(listed.code, listed.output).toBe(0);
      expect(listed.output).toContain(`telegram:${chat.chatId}`);
    } else {
      expect(listed.code).not.toBe(0);
      expect(listed.output).toContain('is in use by another gridbot start');
      expect(listed.output).toContain('manage threads on its dashboard (Threads)');
    }
    expect(await all.stop()).toBe(0);
    const after = await h.cli(['threads', 'list']);
    expect(after.code, after.output).toBe(0);
    expect(after.output).toContain(`telegram:${chat.chatId}`);
  });
});
