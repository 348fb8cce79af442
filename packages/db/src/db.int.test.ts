import { SchemaOutdatedError } from '@gridbot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { assertSchemaCurrent, migrateToLatest } from './migrations.ts';
import {
  historyBefore,
  insertMessage,
  messagesAfter,
  updateMessageText,
} from './repos/messages-repo.ts';
import { registerThread, unregisterThread, upsertThreadFromChat } from './repos/threads-repo.ts';
import { upsertUser } from './repos/users-repo.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const chat = {
  jid: 'telegram:-100',
  channel: 'telegram',
  platformChatId: '-100',
  title: 'Team',
  isGroup: true,
};

describe('schema version', () => {
  it('refuses an unmigrated database, naming gridbot migrate, and accepts it once migrated', async () => {
    const empty = await createTestDatabase({ migrated: false });
    try {
      await expect(assertSchemaCurrent(empty.db)).rejects.toThrow(SchemaOutdatedError);
      await expect(assertSchemaCurrent(empty.db)).rejects.toThrow(/gridbot migrate/);
      expect(await migrateToLatest(empty.db)).toEqual([
        '0001-initial',
        '0002-approval-delivery',
        '0003-budget-notice',
        '0004-pairing',
        '0005-recovery-indexes',
        '0006-dead-letters',
        '0007-instance-agent-runtime',
        '0008-approval-requester',
        '0009-dashboard-sessions',
        '0010-history-reset-and-search',
        '0011-instance-behaviour',
        '0012-task-owner',
        '0013-delivery-status',
        '0014-thread-unregistered',
        '0015-channel-leases',
      ]);
      await expect(assertSchemaCurrent(empty.db)).resolves.toBeUndefined();
      expect(await migrateToLatest(empty.db)).toEqual([]);
    } finally {
      await empty.drop();
    }
  });
});

describe('threads', () => {
  it('creates a chat unregistered, then registration keeps its metadata', async () => {
    const created = await upsertThreadFromChat(t.db, chat);
    expect(created.registered).toBe(false);
    const registered = await registerThread(t.db, { jid: chat.jid, triggerPattern: '^bot' });
    expect(registered.id).toBe(created.id);
    expect(registered).toMatchObject({ registered: true, title: 'Team', trigger_pattern: '^bot' });
    const again = await upsertThreadFromChat(t.db, { ...chat, title: null });
    expect(again).toMatchObject({ registered: true, title: 'Team' });
    expect(await unregisterThread(t.db, chat.jid)).toBe(true);
    expect(await unregisterThread(t.db, 'telegram:404')).toBe(false);
  });

  it('keeps one main thread', async () => {
    await registerThread(t.db, { jid: 'telegram:1', isMain: true, isGroup: false });
    await registerThread(t.db, { jid: 'telegram:2', isMain: true, isGroup: false });
    const mains = await t.db
      .selectFrom('threads')
      .select('jid')
      .where('is_main', '=', true)
      .execute();
    expect(mains).toEqual([{ jid: 'telegram:2' }]);
  });
});

describe('messages', () => {
  it('stores a redelivered message once, applies edits, and splits new from history', async () => {
    const thread = await upsertThreadFromChat(t.db, {
      ...chat,
      jid: 'telegram:-200',
      platformChatId: '-200',
    });
    const user = await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '7',
      name: 'Ann',
      username: null,
    });
    const input = {
      threadId: thread.id,
      platformMessageId: '1',
      senderId: user.id,
      senderName: 'Ann',
      role: 'user' as const,
      content: 'hello',
      replyTo: null,
      triggers: true,
      sentAt: new Date(),
    };
    const first = await insertMessage(t.db, input);
    const second = await insertMessage(t.db, { ...input, content: 'changed' });
    expect(first.inserted).toBe(true);
    expect(second).toMatchObject({
      inserted: false,
      message: { id: first.message.id, content: 'hello' },
    });
    expect(await updateMessageText(t.db, thread.id, '1', 'hello!', new Date())).toBe(true);
    expect(await updateMessageText(t.db, thread.id, '404', 'x', new Date())).toBe(false);

    const reply = await insertMessage(t.db, {
      ...input,
      platformMessageId: 'a1',
      role: 'assistant',
      content: 'hi',
    });
    const later = await insertMessage(t.db, { ...input, platformMessageId: '2', content: 'more' });
    const cursor = first.message.id;
    expect((await messagesAfter(t.db, thread.id, cursor, 10)).map((m) => m.content)).toEqual([
      'more',
    ]);
    expect((await historyBefore(t.db, thread.id, cursor, 10)).map((m) => m.content)).toEqual([
      'hello!',
      'hi',
    ]);
    expect(later.message.id).toBeGreaterThan(reply.message.id);
  });

  it('never revokes an allowed user', async () => {
    await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '9',
      name: 'Bo',
      username: null,
      allowed: true,
    });
    const again = await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '9',
      name: 'Bo',
      username: 'bo',
    });
    expect(again.allowed).toBe(true);
  });
});
