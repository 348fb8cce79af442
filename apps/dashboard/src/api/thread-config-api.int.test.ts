import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EffectiveSetting } from '../read-models/behaviour.ts';
import type { ThreadDetail } from '../read-models/threads.ts';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;
let crew: number;
let mia: number;

const send = (method: string, body?: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  ...(body !== undefined && { body: JSON.stringify(body) }),
});

async function detail(): Promise<ThreadDetail> {
  return (await (await t.api(`/api/threads/${crew}`)).json()) as ThreadDetail;
}

function setting(view: ThreadDetail, key: string): EffectiveSetting {
  return view.behaviour.settings.find((s) => s.key === key)!;
}

beforeAll(async () => {
  t = await openTestDashboard();
  const { db } = t.database;
  crew = await t.seedThread('telegram:-100900', { title: 'Crew', config: { top_p: 0.9 } });
  // A worker up, publishing the settings its runs start from.
  await db
    .insertInto('instances')
    .values({
      id: 'worker-a',
      role: 'worker',
      host: 'h',
      pid: 1,
      version: 'test',
      git_sha: null,
      started_at: new Date(),
      heartbeat_at: new Date(),
      status: 'up',
      agent_runtime: 'docker',
      behaviour: JSON.stringify({
        provider: 'openai',
        config: { model: 'gpt-ops', max_tokens: 2000, daily_token_budget: 5000 },
      }),
    })
    .execute();
  const user = await db
    .insertInto('users')
    .values({
      channel: 'telegram',
      platform_user_id: '77',
      name: 'Mia',
      username: 'mia',
      config: JSON.stringify({ model: 'gpt-mia', temperature: 0.4 }),
      tz_name: 'Europe/Berlin',
      last_seen: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  mia = user.id;
  await db
    .insertInto('messages')
    .values({
      thread_id: crew,
      platform_message_id: 'm1',
      sender_id: mia,
      sender_name: 'Mia',
      role: 'user',
      content: '@Andy hi',
      reply_to: null,
      triggers: true,
      sent_at: new Date(),
      metadata: '{}',
    })
    .execute();
});

afterAll(async () => {
  await t?.close();
});

describe('a thread’s settings in the dashboard', () => {
  it('shows each effective value with its level: the workers’ global, the last sender’s, the thread’s', async () => {
    const view = await detail();
    expect(view.behaviour.appliesTo).toMatchObject({ id: mia, name: 'Mia' });
    expect(view.behaviour.provider).toBe('openai');
    expect(setting(view, 'model')).toMatchObject({ value: 'gpt-mia', source: 'user' });
    expect(setting(view, 'top_p')).toMatchObject({ value: 0.9, source: 'thread', override: 0.9 });
    expect(setting(view, 'max_tokens')).toMatchObject({ value: 2000, source: 'global' });
    expect(setting(view, 'daily_token_budget')).toMatchObject({ value: 5000, source: 'global' });
    // A group keeps its own clock: Mia's zone does not apply here.
    expect(setting(view, 'timezone')).toMatchObject({ value: 'UTC', source: 'global' });
    expect(view.resolvedConfig.temperature).toBe(0.4);
  });

  it('sets the thread’s values with the chat’s checks, and audits each change', async () => {
    const response = await t.api(
      `/api/threads/${crew}/config`,
      send('PUT', { temperature: '0.3', tools_requiring_approval: 'bash, write_file' }),
    );
    expect(response.status).toBe(200);
    const view = (await response.json()) as ThreadDetail;
    expect(setting(view, 'temperature')).toMatchObject({ value: 0.3, source: 'thread' });
    expect(setting(view, 'tools_requiring_approval').value).toEqual(['bash', 'write_file']);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'target', 'details'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        actor: 'dashboard',
        action: 'config.set',
        target: 'thread:telegram:-100900',
        details: { temperature: { from: null, to: 0.3 } },
      },
      {
        actor: 'dashboard',
        action: 'config.set',
        target: 'thread:telegram:-100900',
        details: { tools_requiring_approval: { from: null, to: ['bash', 'write_file'] } },
      },
    ]);
  });

  it('refuses bad keys and values by name and changes nothing', async () => {
    const bad = await t.api(
      `/api/threads/${crew}/config`,
      send('PUT', { temperature: '9', max_tokens: '9000', sandbox: '{}' }),
    );
    expect(bad.status).toBe(400);
    const { error } = (await bad.json()) as { error: string };
    expect(error).toContain('temperature must be a number from 0 to 2, not "9".');
    expect(error).toContain("at most 2000 (the operator's limit)");
    expect(error).toContain('sandbox is set by the operator only');
    const unknown = await t.api(`/api/threads/${crew}/config`, send('PUT', { modle: 'x' }));
    expect(((await unknown.json()) as { error: string }).error).toContain(
      'Unknown key "modle". Keys you can set: model, temperature',
    );
    expect(setting(await detail(), 'temperature').value).toBe(0.3);
  });

  it('resets one key of the thread: the level below applies again', async () => {
    const response = await t.api(`/api/threads/${crew}/config/temperature`, send('DELETE'));
    expect(response.status).toBe(200);
    const view = (await response.json()) as ThreadDetail;
    expect(setting(view, 'temperature')).toMatchObject({ value: 0.4, source: 'user' });
    const last = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({
      action: 'config.reset',
      details: { temperature: { from: 0.3, to: null } },
    });
    const bogus = await t.api(`/api/threads/${crew}/config/bogus`, send('DELETE'));
    expect(bogus.status).toBe(400);
  });

  it('renders the form on the thread page, built from the key table', async () => {
    const page = await (await t.api(`/threads/${crew}`)).text();
    expect(page).toContain(`id="config-form" data-api="/api/threads/${crew}/config"`);
    expect(page).toMatch(/data-key="model".*?gpt-mia.*?source-user/s);
    expect(page).toContain(
      'name="temperature" aria-label="temperature" type="number" min="0" max="2"',
    );
    expect(page).toContain('<option value="high">high</option>');
    expect(page).toContain(`href="/users/${mia}">Mia</a>`);
  });

  it('shows a person’s own defaults on their page and in the API', async () => {
    const list = await (await t.api('/users')).text();
    expect(list).toContain(`<a href="/users/${mia}">Mia</a>`);
    const page = await (await t.api(`/users/${mia}`)).text();
    expect(page).toMatch(/data-key="model".*?gpt-mia/s);
    expect(page).toContain('time zone from their device: Europe/Berlin');
    const api = (await (await t.api(`/api/users/${mia}`)).json()) as {
      defaults: { key: string; value: unknown; global: unknown }[];
    };
    expect(api.defaults.find((d) => d.key === 'model')).toMatchObject({
      value: 'gpt-mia',
      global: 'gpt-ops',
    });
    expect(api.defaults.find((d) => d.key === 'top_p')).toMatchObject({ value: null });
    expect((await t.api('/users/999999')).status).toBe(404);
  });

  it('stores the web chat browser’s zone as the person’s while they have none', async () => {
    const post = (text: string, timeZone: string) =>
      t.api('/api/chat/tz-test/messages', send('POST', { text, timeZone }));
    expect((await post('hello', 'America/Chicago')).status).toBe(202);
    expect((await post('again', 'Asia/Tokyo')).status).toBe(202);
    const operator = await t.database.db
      .selectFrom('users')
      .select('tz_name')
      .where('channel', '=', 'web')
      .executeTakeFirstOrThrow();
    expect(operator.tz_name).toBe('America/Chicago');
  });
});
