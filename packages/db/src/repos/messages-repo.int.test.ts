import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import { insertApproval } from './approvals-repo.ts';
import { storeUserMessage, type UserMessageInput } from './messages-repo.ts';
import { startRun } from './runs-repo.ts';
import { registerThread } from './threads-repo.ts';
import { findUser, upsertUser } from './users-repo.ts';

let t: TestDatabase;
let threadId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  threadId = (await registerThread(t.db, { jid: 'telegram:-500100' })).id;
});
afterAll(async () => {
  await t?.drop();
});

const input = (overrides: Partial<UserMessageInput> = {}): UserMessageInput => ({
  threadId,
  channel: 'telegram',
  sender: { platformUserId: '42', name: 'Maya', username: 'maya', allowed: false },
  platformMessageId: '1001',
  content: '@Andy hello',
  replyTo: null,
  triggers: true,
  sentAt: new Date('2026-06-01T10:00:00Z'),
  supersedeApprovals: false,
  ...overrides,
});

describe('storeUserMessage', () => {
  it('stores the message with its sender once; a redelivery stores nothing', async () => {
    const result = await storeUserMessage(t.db, input());
    expect(result?.throttled).toBe('no');
    const stored = result?.message;
    expect(stored).toMatchObject({
      thread_id: threadId,
      platform_message_id: '1001',
      sender_name: 'Maya',
      role: 'user',
      content: '@Andy hello',
      triggers: true,
    });
    const user = await findUser(t.db, 'telegram', '42');
    expect(stored?.sender_id).toBe(user?.id);
    expect(typeof stored?.id).toBe('number');
    expect(stored?.sent_at).toEqual(new Date('2026-06-01T10:00:00Z'));
    expect(await storeUserMessage(t.db, input({ content: 'changed' }))).toBeNull();
    const rows = await t.db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .execute();
    expect(rows.map((r) => r.content)).toEqual(['@Andy hello']);
  });

  it('refreshes the sender but never takes back an approval', async () => {
    await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '43',
      name: 'Old',
      username: null,
      allowed: true,
    });
    await storeUserMessage(
      t.db,
      input({
        platformMessageId: '1002',
        sender: { platformUserId: '43', name: 'Noor', username: 'noor', allowed: false },
      }),
    );
    expect(await findUser(t.db, 'telegram', '43')).toMatchObject({
      name: 'Noor',
      username: 'noor',
      allowed: true,
    });
  });

  it('supersedes pending approvals only when asked and only for a new message', async () => {
    const run = await startRun(t.db, {
      threadId,
      trigger: 'message',
      worker: 'worker-1',
      jobId: null,
      attempt: 1,
      leaseToken: 1,
    });
    const approval = async () =>
      (
        await insertApproval(t.db, {
          threadId,
          runId: run.id,
          proposal: { tool: 'bash', command: 'rm -rf /tmp/x' },
          expiresAt: new Date(Date.now() + 3_600_000),
        })
      ).id;
    const status = async (id: number) =>
      (
        await t.db
          .selectFrom('approvals')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    const first = await approval();
    await storeUserMessage(t.db, input({ platformMessageId: '1003', supersedeApprovals: false }));
    expect(await status(first)).toBe('pending');
    // A redelivered message does not count as addressing the assistant again.
    await storeUserMessage(t.db, input({ platformMessageId: '1003', supersedeApprovals: true }));
    expect(await status(first)).toBe('pending');
    await storeUserMessage(t.db, input({ platformMessageId: '1004', supersedeApprovals: true }));
    expect(await status(first)).toBe('superseded');
  });

  it("keeps a sender's triggers per minute to the limit, the rest stored as context, told once", async () => {
    const thread = (await registerThread(t.db, { jid: 'telegram:-500200' })).id;
    const from = (user: string, i: number, triggers = true) =>
      storeUserMessage(
        t.db,
        input({
          threadId: thread,
          sender: { platformUserId: user, name: user, username: null, allowed: false },
          platformMessageId: `${user}-${i}`,
          triggers,
          triggersPerMinute: 3,
        }),
      );
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await from('ann', i))?.throttled);
    expect(outcomes).toEqual(['no', 'no', 'no', 'first', 'again', 'again']);
    // Another person in the same thread has an allowance of their own; plain context is never throttled.
    expect((await from('bo', 0))?.throttled).toBe('no');
    expect((await from('ann', 6, false))?.throttled).toBe('no');
    const rows = await t.db
      .selectFrom('messages')
      .select(['platform_message_id', 'triggers', 'metadata'])
      .where('thread_id', '=', thread)
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.triggers).map((r) => r.platform_message_id)).toEqual([
      'ann-0',
      'ann-1',
      'ann-2',
      'bo-0',
    ]);
    // A minute later the allowance is back.
    await t.db
      .updateTable('messages')
      .set({ created_at: new Date(Date.now() - 61_000) })
      .where('thread_id', '=', thread)
      .execute();
    expect((await from('ann', 7))?.throttled).toBe('no');
  });
});
