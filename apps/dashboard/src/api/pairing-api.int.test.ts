import { approvePairing, requestPairing } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairingView } from '../read-models/pairing.ts';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;

/** A JSON answer, typed as the test expects it. */
async function read<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
let noor: { code: string; threadId: number };
let late: { code: string };
let done: { code: string };

const post = (path: string) => t.post(path);

beforeAll(async () => {
  t = await openTestDashboard();
  const { db } = t.database;
  const request = async (userId: string, name: string, now = new Date()) => {
    const jid = `telegram:${userId}`;
    const threadId = await t.seedThread(jid, {
      title: name,
      isGroup: false,
      registered: false,
      lastActivity: now,
    });
    const { request } = await requestPairing(db, {
      channel: 'telegram',
      platformUserId: userId,
      userName: name,
      jid,
      threadId,
      now,
    });
    return { code: request.code, threadId };
  };
  noor = await request('4201', 'Noor');
  late = await request('4202', 'Sam', new Date(Date.now() - 2 * 3600_000));
  done = await request('4203', 'Lee');
  await approvePairing(db, { code: done.code, by: 'cli:ops' });
});

afterAll(async () => {
  await t?.close();
});

describe('pairing API', () => {
  it('lists pending requests, or all of them with their status', async () => {
    const pending = await read<{ requests: PairingView[] }>(await t.api('/api/pairing'));
    expect(pending.requests).toMatchObject([
      { code: noor.code, status: 'pending', userName: 'Noor', jid: 'telegram:4201' },
    ]);
    const all = await read<{ requests: PairingView[] }>(await t.api('/api/pairing?status=all'));
    expect(all.requests.map((r) => [r.code, r.status])).toEqual([
      [done.code, 'approved'],
      [late.code, 'expired'],
      [noor.code, 'pending'],
    ]);
    expect((await t.api('/api/pairing?status=approved')).status).toBe(400);
  });

  it('approves a code in any case: the user allowed, the chat registered, audited as the dashboard', async () => {
    const response = await post(`/api/pairing/${noor.code.toLowerCase()}/approve`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      request: { code: noor.code, status: 'approved', approvedBy: 'dashboard' },
    });
    const { db } = t.database;
    const user = await db
      .selectFrom('users')
      .select(['allowed'])
      .where('platform_user_id', '=', '4201')
      .executeTakeFirstOrThrow();
    expect(user.allowed).toBe(true);
    const thread = await db
      .selectFrom('threads')
      .select(['registered', 'requires_trigger'])
      .where('id', '=', noor.threadId)
      .executeTakeFirstOrThrow();
    expect(thread).toEqual({ registered: true, requires_trigger: false });
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'target'])
      .where('target', '=', 'user:telegram:4201')
      .execute();
    expect(audit).toEqual([
      { actor: 'dashboard', action: 'pairing.approved', target: 'user:telegram:4201' },
    ]);
  });

  it('answers 409 for an approved code, 410 for an expired one, 404 for an unknown one', async () => {
    const again = await post(`/api/pairing/${noor.code}/approve`);
    expect(again.status).toBe(409);
    expect((await read<{ error: string }>(again)).error).toMatch(
      new RegExp(`^pairing code ${noor.code} was already approved .* by dashboard$`),
    );
    const expired = await post(`/api/pairing/${late.code}/approve`);
    expect(expired.status).toBe(410);
    expect((await read<{ error: string }>(expired)).error).toMatch(/has expired/);
    const allowed = await t.database.db
      .selectFrom('users')
      .select('allowed')
      .where('platform_user_id', '=', '4202')
      .executeTakeFirst();
    expect(allowed).toBeUndefined();
    const unknown = await post('/api/pairing/ZZZZZZ/approve');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no pairing code ZZZZZZ' });
  });

  it('answers 400 for something that is not a code', async () => {
    const response = await post(`/api/pairing/${encodeURIComponent('K7-Q;X')}/approve`);
    expect(response.status).toBe(400);
    expect((await read<{ error: string }>(response)).error).toMatch(
      /^a pairing code is letters and digits/,
    );
  });
});

describe('pairing page', () => {
  it('shows requests with an approve button while pending', async () => {
    const pending = await (await t.api('/pairing')).text();
    expect(pending).toContain('<h1>Pairing</h1>');
    expect(pending).toContain('No pending pairing requests.');
    const all = await (await t.api('/pairing?status=all')).text();
    expect(all).toContain(`<code>${late.code}</code>`);
    expect(all).toContain('Sam');
    expect(all).toContain('cli:ops');
    expect(all).not.toContain('/approve"');
    const { request } = await requestPairing(t.database.db, {
      channel: 'telegram',
      platformUserId: '4201',
      userName: 'Noor',
      jid: 'telegram:4201',
      threadId: noor.threadId,
    });
    const fresh = await (await t.api('/pairing')).text();
    expect(fresh).toContain(`data-api="/api/pairing/${request.code}/approve"`);
  });
});
