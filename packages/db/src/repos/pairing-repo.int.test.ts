import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import { deleteInactiveThreads } from '../maintenance/retention.ts';
import { approvePairing, listPairingRequests, requestPairing } from './pairing-repo.ts';
import { upsertThreadFromChat } from './threads-repo.ts';
import { upsertUser } from './users-repo.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const HOUR = 60 * 60 * 1000;
const start = new Date('2026-06-01T10:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);

/** A fresh unregistered direct chat of user `userId` and what requestPairing needs for it. */
async function directChat(userId: string, name = 'Dana') {
  const jid = `telegram:${userId}`;
  const thread = await upsertThreadFromChat(t.db, {
    jid,
    channel: 'telegram',
    platformChatId: userId,
    title: null,
    isGroup: false,
  });
  return {
    thread,
    input: {
      channel: 'telegram',
      platformUserId: userId,
      userName: name,
      jid,
      threadId: thread.id,
    },
  };
}

describe('requestPairing', () => {
  it('gives a six-character unambiguous code valid for an hour, and the same one within the hour', async () => {
    const { input } = await directChat('701');
    const first = await requestPairing(t.db, { ...input, now: start });
    expect(first.created).toBe(true);
    expect(first.request.code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    expect(first.request).toMatchObject({ status: 'pending', jid: 'telegram:701' });
    expect(first.request.expires_at).toEqual(at(HOUR));

    const again = await requestPairing(t.db, { ...input, now: at(HOUR - 1_000) });
    expect(again).toMatchObject({ created: false, request: { id: first.request.id } });
    expect(again.request.code).toBe(first.request.code);

    const later = await requestPairing(t.db, { ...input, now: at(HOUR) });
    expect(later.created).toBe(true);
    expect(later.request.id).not.toBe(first.request.id);
    expect(later.request.code).not.toBe(first.request.code);
  });

  it('gives one code to concurrent first messages of one user', async () => {
    const { input } = await directChat('702');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => requestPairing(t.db, { ...input, now: start })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.request.code)).size).toBe(1);
  });
});

describe('listPairingRequests', () => {
  it('lists pending requests newest first by default, and every status with all', async () => {
    const a = await directChat('711', 'Ann');
    const b = await directChat('712', 'Ben');
    const c = await directChat('713', 'Cat');
    const expired = await requestPairing(t.db, { ...a.input, now: at(-2 * HOUR) });
    const approved = await requestPairing(t.db, { ...b.input, now: start });
    const pending = await requestPairing(t.db, { ...c.input, now: at(1_000) });
    await approvePairing(t.db, { code: approved.request.code, by: 'admin', now: at(2_000) });

    const now = at(3_000);
    const ours = (rows: Awaited<ReturnType<typeof listPairingRequests>>) =>
      rows.filter((r) => ['711', '712', '713'].includes(r.platform_user_id));
    expect(ours(await listPairingRequests(t.db, { now })).map((r) => r.code)).toEqual([
      pending.request.code,
    ]);
    const all = ours(await listPairingRequests(t.db, { status: 'all', now }));
    expect(all.map((r) => [r.code, r.status])).toEqual([
      [pending.request.code, 'pending'],
      [approved.request.code, 'approved'],
      [expired.request.code, 'expired'],
    ]);
  });
});

describe('approvePairing', () => {
  it('allows the user, registers the direct chat without a trigger, and audits it (any letter case)', async () => {
    const { thread, input } = await directChat('721', 'Eve');
    await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '721',
      name: 'Eve',
      username: 'eve',
    });
    const { request } = await requestPairing(t.db, { ...input, now: start });

    const result = await approvePairing(t.db, {
      code: ` ${request.code.toLowerCase()} `,
      by: 'cli:root',
      now: at(60_000),
    });
    expect(result).toMatchObject({
      outcome: 'approved',
      request: { id: request.id, status: 'approved', approved_by: 'cli:root' },
    });

    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('channel', '=', 'telegram')
      .where('platform_user_id', '=', '721')
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ allowed: true, paired_at: at(60_000), username: 'eve' });
    const registered = await t.db
      .selectFrom('threads')
      .selectAll()
      .where('id', '=', thread.id)
      .executeTakeFirstOrThrow();
    expect(registered).toMatchObject({ registered: true, requires_trigger: false });
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target', '=', 'user:telegram:721')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'cli:root',
      action: 'pairing.approved',
      details: { jid: 'telegram:721', code: request.code },
    });

    // Approving twice changes nothing and says so.
    const again = await approvePairing(t.db, { code: request.code, by: 'other', now: at(HOUR) });
    expect(again).toMatchObject({ outcome: 'already', request: { approved_by: 'cli:root' } });
    expect(
      await t.db
        .selectFrom('audit_log')
        .select('id')
        .where('target', '=', 'user:telegram:721')
        .execute(),
    ).toHaveLength(1);
  });

  it('creates the user row when the user was never stored', async () => {
    const { input } = await directChat('722', 'Fay');
    const { request } = await requestPairing(t.db, { ...input, now: start });
    await approvePairing(t.db, { code: request.code, by: 'admin', now: at(1_000) });
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('platform_user_id', '=', '722')
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ name: 'Fay', allowed: true, paired_at: at(1_000) });
  });

  it('refuses an unknown code and an expired one, changing nothing', async () => {
    const { thread, input } = await directChat('723');
    const { request } = await requestPairing(t.db, { ...input, now: start });
    expect(await approvePairing(t.db, { code: 'ZZZZZZ', by: 'admin', now: start })).toEqual({
      outcome: 'missing',
    });
    expect(await approvePairing(t.db, { code: request.code, by: 'admin', now: at(HOUR) })).toEqual({
      outcome: 'expired',
    });
    const [row] = await listPairingRequests(t.db, { status: 'all', now: at(HOUR) }).then((rows) =>
      rows.filter((r) => r.id === request.id),
    );
    expect(row).toMatchObject({ status: 'expired', approved_at: null });
    const unchanged = await t.db
      .selectFrom('threads')
      .select('registered')
      .where('id', '=', thread.id)
      .executeTakeFirstOrThrow();
    expect(unchanged.registered).toBe(false);
  });
});

describe('retention', () => {
  it("deletes a thread's pairing requests with the thread", async () => {
    const { thread, input } = await directChat('731');
    await requestPairing(t.db, { ...input, now: start });
    await t.db
      .updateTable('threads')
      .set({ last_activity: new Date('2020-01-01T00:00:00Z') })
      .where('id', '=', thread.id)
      .execute();
    const result = await deleteInactiveThreads(t.db, { olderThanDays: 30 });
    expect(result.threads).toBeGreaterThanOrEqual(1);
    const left = await t.db
      .selectFrom('pairing_requests')
      .select('id')
      .where('thread_id', '=', thread.id)
      .execute();
    expect(left).toEqual([]);
  });
});
