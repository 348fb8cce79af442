import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadView } from '../read-models/threads.ts';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;
let lobby: number;

const post = (path: string, body: unknown) =>
  t.api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function threadRow(jid: string) {
  return t.database.db.selectFrom('threads').selectAll().where('jid', '=', jid).executeTakeFirst();
}

beforeAll(async () => {
  t = await openTestDashboard();
  lobby = await t.seedThread('telegram:-100900', { title: 'Lobby', registered: false });
});

afterAll(async () => {
  await t?.close();
});

describe('registering a chat from the dashboard', () => {
  it('registers a chat nobody has written in yet, by JID, with its name and trigger', async () => {
    const response = await post('/api/threads', {
      jid: 'discord:123456789012345678',
      title: 'Release crew',
      requiresTrigger: true,
      triggerPattern: '^crew\\b',
    });
    expect(response.status).toBe(201);
    const { thread } = (await response.json()) as { thread: ThreadView };
    expect(thread).toMatchObject({
      jid: 'discord:123456789012345678',
      title: 'Release crew',
      registered: true,
      requiresTrigger: true,
      triggerPattern: '^crew\\b',
    });
    expect(await threadRow('discord:123456789012345678')).toMatchObject({
      channel: 'discord',
      platform_chat_id: '123456789012345678',
      title: 'Release crew',
      registered: true,
    });
  });

  it('names a known thread as it registers it, and keeps its name when none is given', async () => {
    expect((await post(`/api/threads/${lobby}/register`, { title: 'Front desk' })).status).toBe(
      200,
    );
    expect(await threadRow('telegram:-100900')).toMatchObject({
      title: 'Front desk',
      registered: true,
    });
    expect((await post('/api/threads', { jid: 'telegram:-100900', title: '' })).status).toBe(201);
    expect((await threadRow('telegram:-100900'))?.title).toBe('Front desk');
  });

  it('refuses a malformed JID or an invalid trigger, adding nothing', async () => {
    const malformed = await post('/api/threads', { jid: 'telegram:ops room', title: 'Ops' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(
      /platform id "ops room" is empty or has invalid characters/,
    );
    const trigger = await post('/api/threads', { jid: 'telegram:-100901', triggerPattern: '(' });
    expect(trigger.status).toBe(400);
    expect(await threadRow('telegram:-100901')).toBeUndefined();
    const missing = await post('/api/threads', { title: 'No JID' });
    expect(missing.status).toBe(400);
  });
});
