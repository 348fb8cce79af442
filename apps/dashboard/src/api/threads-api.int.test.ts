import { insertTask } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../read-models/tasks.ts';
import type {
  MessageView,
  RunView,
  ThreadDetail,
  ThreadSummary,
  ThreadView,
} from '../read-models/threads.ts';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;
let ops: number;
let newcomers: number;
let percent: number;

interface MessagePage {
  messages: MessageView[];
  hasMore: boolean;
}

/** A JSON answer with its status, the body typed as the test expects it. */
async function json<T = unknown>(response: Response): Promise<{ status: number; body: T }> {
  return { status: response.status, body: (await response.json()) as T };
}

const send = (method: string, body?: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  ...(body !== undefined && { body: JSON.stringify(body) }),
});

beforeAll(async () => {
  t = await openTestDashboard();
  const { db } = t.database;
  const thread = (jid: string, title: string, registered: boolean, minutesAgo: number) =>
    t.seedThread(jid, {
      title,
      registered,
      config: registered ? { temperature: 0.2, timezone: 'Europe/Berlin' } : {},
      lastActivity: new Date(Date.now() - minutesAgo * 60_000),
    });
  ops = await thread('telegram:-100700', 'Ops room', true, 1);
  newcomers = await thread('telegram:-100701', 'Newcomers', false, 5);
  percent = await thread('discord:555', '100% club', false, 30);
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute));
  await db
    .insertInto('messages')
    .values(
      ['first words', 'the deploy is at noon', 'noted'].map((content, i) => ({
        thread_id: ops,
        platform_message_id: String(i + 1),
        sender_id: null,
        sender_name: i === 2 ? 'Andy' : 'Maya',
        role: i === 2 ? ('assistant' as const) : ('user' as const),
        content,
        reply_to: null,
        sent_at: at(i),
        metadata: '{}',
      })),
    )
    .execute();
  await db
    .insertInto('agent_runs')
    .values([
      {
        thread_id: ops,
        trigger: 'message',
        status: 'succeeded',
        worker: 'w1',
        attempt: 1,
        lease_token: 1,
        started_at: at(1),
        finished_at: new Date(at(1).getTime() + 2_500),
        input_tokens: 1200,
        output_tokens: 80,
      },
      {
        thread_id: ops,
        trigger: 'message',
        status: 'failed',
        worker: 'w1',
        attempt: 3,
        lease_token: 2,
        started_at: at(2),
        finished_at: at(3),
        error: 'provider said 529 overloaded',
      },
    ])
    .execute();
  await insertTask(db, {
    threadId: ops,
    prompt: 'Post the standup reminder',
    scheduleKind: 'cron',
    scheduleValue: '0 9 * * 1-5',
    timezone: 'Europe/Berlin',
    contextMode: 'group',
    misfirePolicy: 'skip',
    nextRunAt: new Date(Date.now() + 3600_000),
    createdBy: 'cli',
  });
  await db
    .insertInto('memories')
    .values({ thread_id: ops, content: 'Maya runs deploys' })
    .execute();
});

afterAll(async () => {
  await t?.close();
});

describe('threads API', () => {
  it('lists threads newest activity first, with counts', async () => {
    const { status, body } = await json<{ threads: ThreadSummary[] }>(await t.api('/api/threads'));
    expect(status).toBe(200);
    expect(body.threads.map((th) => th.jid)).toEqual([
      'telegram:-100700',
      'telegram:-100701',
      'discord:555',
    ]);
    expect(body.threads[0]).toMatchObject({
      title: 'Ops room',
      registered: true,
      counts: { messages: 3, runs: 2, tasks: 1 },
    });
    expect(body.threads[1]!.counts).toEqual({ messages: 0, runs: 0, tasks: 0 });
  });

  it('searches JID and title in any case, taking % and _ literally', async () => {
    const jids = async (query: string) =>
      (
        (await (await t.api(`/api/threads?${query}`)).json()) as { threads: { jid: string }[] }
      ).threads.map((th) => th.jid);
    expect(await jids('q=OPS')).toEqual(['telegram:-100700']);
    expect(await jids('q=-1007')).toEqual(['telegram:-100700', 'telegram:-100701']);
    expect(await jids(`q=${encodeURIComponent('100%')}`)).toEqual(['discord:555']);
    expect(await jids('q=_')).toEqual([]);
    expect(await jids('registered=false')).toEqual(['telegram:-100701', 'discord:555']);
    expect(await jids('registered=true&q=room')).toEqual(['telegram:-100700']);
  });

  it('answers 400 for a bad filter and 404/400 for a bad thread id', async () => {
    expect(await json(await t.api('/api/threads?registered=maybe'))).toEqual({
      status: 400,
      body: { error: 'registered must be true, false or all, not "maybe"' },
    });
    expect(await json(await t.api('/api/threads/abc'))).toEqual({
      status: 400,
      body: { error: 'thread id must be a positive integer, not "abc"' },
    });
    expect(await json(await t.api('/api/threads/999999/messages'))).toEqual({
      status: 404,
      body: { error: 'no thread 999999' },
    });
    expect((await t.api('/api/threads/999999/register', send('POST'))).status).toBe(404);
  });

  it('shows a thread with its overrides and the config they resolve to', async () => {
    const { status, body } = await json<ThreadDetail>(await t.api(`/api/threads/${ops}`));
    expect(status).toBe(200);
    expect(body.thread).toMatchObject({ id: ops, jid: 'telegram:-100700', registered: true });
    expect(body.config).toEqual({ temperature: 0.2, timezone: 'Europe/Berlin' });
    expect(body.resolvedConfig).toMatchObject({
      temperature: 0.2,
      timezone: 'Europe/Berlin',
      history_limit: 30,
    });
  });

  it('pages through messages, oldest first within a page', async () => {
    const latest = await json<MessagePage>(await t.api(`/api/threads/${ops}/messages?limit=2`));
    expect(latest.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'the deploy is at noon',
      'noted',
    ]);
    expect(latest.body.hasMore).toBe(true);
    const older = await json<MessagePage>(
      await t.api(`/api/threads/${ops}/messages?limit=2&before=${latest.body.messages[0]!.id}`),
    );
    expect(older.body).toMatchObject({ messages: [{ content: 'first words' }], hasMore: false });
    expect((await t.api(`/api/threads/${ops}/messages?limit=0`)).status).toBe(400);
  });

  it('lists runs newest first with durations, and the thread’s tasks and memory', async () => {
    const runs = (await json<{ runs: RunView[] }>(await t.api(`/api/threads/${ops}/runs`))).body
      .runs;
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(runs[1]).toMatchObject({ durationMs: 2500, inputTokens: 1200, outputTokens: 80 });
    expect(runs[0]!.error).toBe('provider said 529 overloaded');
    const tasks = (await json<{ tasks: TaskView[] }>(await t.api(`/api/threads/${ops}/tasks`))).body
      .tasks;
    expect(tasks).toMatchObject([
      { prompt: 'Post the standup reminder', schedule: 'cron 0 9 * * 1-5', status: 'active' },
    ]);
    const memories = (
      await json<{ memories: Array<{ content: string }> }>(
        await t.api(`/api/threads/${ops}/memories`),
      )
    ).body.memories;
    expect(memories).toMatchObject([{ content: 'Maya runs deploys' }]);
  });

  it('registers a thread (with its trigger) and unregisters it, auditing both', async () => {
    const registered = await json(
      await t.api(
        `/api/threads/${newcomers}/register`,
        send('POST', { requiresTrigger: true, triggerPattern: '^hey bot\\b' }),
      ),
    );
    expect(registered.status).toBe(200);
    const { db } = t.database;
    const row = () =>
      db.selectFrom('threads').selectAll().where('id', '=', newcomers).executeTakeFirstOrThrow();
    expect(await row()).toMatchObject({
      registered: true,
      requires_trigger: true,
      trigger_pattern: '^hey bot\\b',
    });
    expect((await t.api(`/api/threads/${newcomers}/unregister`, send('POST'))).status).toBe(200);
    expect((await row()).registered).toBe(false);
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'target', 'details'])
      .where('target', '=', 'thread:telegram:-100701')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        actor: 'dashboard',
        action: 'thread.registered',
        target: 'thread:telegram:-100701',
        details: { title: 'Newcomers', requiresTrigger: true, triggerPattern: '^hey bot\\b' },
      },
      {
        actor: 'dashboard',
        action: 'thread.unregistered',
        target: 'thread:telegram:-100701',
        details: {},
      },
    ]);
  });

  it('registers with an empty body, keeping the trigger settings', async () => {
    const response = await t.api(`/api/threads/${percent}/register`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { thread: ThreadView }).thread).toMatchObject({
      registered: true,
    });
  });

  it('refuses an invalid trigger pattern or unknown field with the reason, changing nothing', async () => {
    const bad = await json<{ error: string }>(
      await t.api(`/api/threads/${ops}`, send('PATCH', { triggerPattern: '(unclosed' })),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^triggerPattern is not a valid regular expression: .+/);
    const unknown = await json<{ error: string }>(
      await t.api(`/api/threads/${ops}`, send('PATCH', { colour: 'red' })),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/colour/);
    const notJson = await t.api(`/api/threads/${ops}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(await json(notJson)).toEqual({ status: 400, body: { error: 'the body must be JSON' } });
    expect((await t.api(`/api/threads/${ops}`, send('PATCH', {}))).status).toBe(400);
    const row = await t.database.db
      .selectFrom('threads')
      .select(['trigger_pattern', 'title'])
      .where('id', '=', ops)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ trigger_pattern: null, title: 'Ops room' });
  });

  it('changes the title and trigger, and goes back to the default trigger', async () => {
    const patched = await json(
      await t.api(
        `/api/threads/${ops}`,
        send('PATCH', { title: 'Ops', requiresTrigger: false, triggerPattern: '^ops\\b' }),
      ),
    );
    expect(patched).toMatchObject({
      status: 200,
      body: { thread: { title: 'Ops', requiresTrigger: false, triggerPattern: '^ops\\b' } },
    });
    await t.api(`/api/threads/${ops}`, send('PATCH', { useDefaultTrigger: true }));
    const row = await t.database.db
      .selectFrom('threads')
      .select(['title', 'requires_trigger', 'trigger_pattern'])
      .where('id', '=', ops)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Ops', requires_trigger: false, trigger_pattern: null });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target', '=', 'thread:telegram:-100700')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        action: 'thread.updated',
        details: { title: 'Ops', requires_trigger: false, trigger_pattern: '^ops\\b' },
      },
      { action: 'thread.updated', details: { trigger_pattern: null } },
    ]);
  });
});

describe('threads pages', () => {
  it('lists threads with links, status and the search box filled in', async () => {
    const response = await t.api('/threads?q=club');
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<h1>Threads</h1>');
    expect(page).toContain(`<a href="/threads/${percent}">100% club</a>`);
    expect(page).not.toContain('Newcomers');
    expect(page).toContain('value="club"');
  });

  it('shows one thread: header, messages newest last, runs, tasks, memory, config', async () => {
    const page = await (await t.api(`/threads/${ops}`)).text();
    expect(page).toContain('<code id="thread-jid">telegram:-100700</code>');
    const messages = [...page.matchAll(/<tr class="message[^"]*"[^>]*>(.*?)<\/tr>/gs)].map(
      (m) => m[1],
    );
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain('first words');
    expect(messages[2]).toContain('noted');
    expect(messages[2]).toContain('Andy');
    expect(page).toContain('provider said 529 overloaded');
    expect(page).toContain('2.5 s');
    expect(page).toContain('Post the standup reminder');
    expect(page).toContain('Maya runs deploys');
    expect(page).toContain('&quot;timezone&quot;: &quot;Europe/Berlin&quot;');
    expect(page).toMatch(/id="register-form"[^>]*>\s*<button[^>]*>Unregister<\/button>/);
  });

  it('offers Register on an unregistered thread, and escapes what chats send', async () => {
    await t.database.db
      .insertInto('messages')
      .values({
        thread_id: newcomers,
        platform_message_id: 'x1',
        sender_id: null,
        sender_name: '<b>Eve</b>',
        role: 'user',
        content: '<script>alert(1)</script>',
        reply_to: null,
        sent_at: new Date(),
        metadata: '{}',
      })
      .execute();
    const page = await (await t.api(`/threads/${newcomers}`)).text();
    expect(page).toMatch(/<button type="submit">Register<\/button>/);
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;Eve&lt;/b&gt;');
  });

  it('answers 404 with a page for an unknown thread', async () => {
    const response = await t.api('/threads/424242');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('There is no thread 424242.');
  });
});
