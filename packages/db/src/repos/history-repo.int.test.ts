import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../tests/support/test-database.ts';
import type { Database } from '../database.ts';
import { migrateToLatest } from '../migrations.ts';
import { openEmbeddedDatabase } from '../pglite/open-embedded.ts';
import { clearThreadMemory, isSearchable, resetHistory, searchMessages } from './history-repo.ts';
import { addMemory, listMemories } from './memories-repo.ts';
import { historyBefore, insertMessage, messagesAfter } from './messages-repo.ts';
import { findThreadById, registerThread } from './threads-repo.ts';

/** Postgres and the embedded PGlite: full-text search must work on both. */
const BACKENDS: [string, () => Promise<{ db: Kysely<Database>; close(): Promise<void> }>][] = [
  [
    'Postgres',
    async () => {
      const t = await createTestDatabase();
      return { db: t.db, close: () => t.drop() };
    },
  ],
  [
    'PGlite',
    async () => {
      const e = await openEmbeddedDatabase('memory://');
      await migrateToLatest(e.db);
      return { db: e.db, close: () => e.close() };
    },
  ],
];

describe.each(BACKENDS)('history on %s', (_name, open) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  let threadId: number;
  let otherId: number;
  let n = 0;
  const say = (thread: number, content: string, sender = 'Maya') =>
    insertMessage(db, {
      threadId: thread,
      platformMessageId: String(++n),
      senderId: null,
      senderName: sender,
      role: 'user',
      content,
      replyTo: null,
      triggers: false,
      sentAt: new Date(Date.UTC(2026, 5, 1, 10, n)),
    }).then((r) => r.message);

  beforeAll(async () => {
    ({ db, close } = await open());
    threadId = (await registerThread(db, { jid: 'telegram:-700' })).id;
    otherId = (await registerThread(db, { jid: 'telegram:-701' })).id;
  });
  afterAll(async () => {
    await close?.();
  });

  it('finds the best matches of the thread only, in any language, through the GIN index', async () => {
    await say(threadId, 'Die Rechnung für März ist bezahlt');
    await say(threadId, 'the invoice of March, and another invoice of April', 'Omar');
    await say(threadId, 'an invoice');
    await say(otherId, 'an invoice elsewhere');
    const hits = await searchMessages(db, threadId, 'invoice');
    expect(hits.map((h) => h.content)).toEqual([
      'the invoice of March, and another invoice of April',
      'an invoice',
    ]);
    expect(hits[0]).toMatchObject({ senderName: 'Omar', role: 'user' });
    expect((await searchMessages(db, threadId, 'rechnung märz')).map((h) => h.content)).toEqual([
      'Die Rechnung für März ist bezahlt',
    ]);
    expect(await searchMessages(db, threadId, '"april invoice"')).toEqual([]);
    expect(await searchMessages(db, threadId, 'invoice -april')).toHaveLength(1);
    expect(await isSearchable(db, 'invoice')).toBe(true);
    expect(await isSearchable(db, '!!! ...')).toBe(false);
    const { rows } = await sql<{
      indexdef: string;
    }>`select indexdef from pg_indexes where indexname = 'messages_content_search'`.execute(db);
    expect(rows[0]?.indexdef).toContain('USING gin');
  });

  it('finds words inside Chinese and Japanese text, which has no spaces between words', async () => {
    await say(threadId, '今天的会议改到下午三点，请大家准时参加。');
    await say(threadId, '明天的天气很好，我们去公园吧！');
    await say(threadId, '会議は午後三時に変更されました');
    await say(otherId, '会议在别的群里');
    expect((await searchMessages(db, threadId, '会议')).map((h) => h.content)).toEqual([
      '今天的会议改到下午三点，请大家准时参加。',
    ]);
    expect((await searchMessages(db, threadId, '天气 公园')).map((h) => h.content)).toEqual([
      '明天的天气很好，我们去公园吧！',
    ]);
    expect(await searchMessages(db, threadId, '天气 会议')).toEqual([]);
    expect((await searchMessages(db, threadId, '午後')).map((h) => h.content)).toEqual([
      '会議は午後三時に変更されました',
    ]);
    // LIKE's wildcards are searched for as characters.
    expect(await searchMessages(db, threadId, '会%议')).toEqual([]);
    expect(await isSearchable(db, '会议')).toBe(true);
  });

  it('leaves messages up to a reset out of the history, and clears memory on request', async () => {
    const first = await say(threadId, 'before the reset');
    const from = await resetHistory(db, threadId);
    expect(from).toBeGreaterThanOrEqual(first.id);
    const after = await say(threadId, 'after the reset');
    const thread = (await findThreadById(db, threadId))!;
    expect(thread.history_from).toBe(from);
    // Messages no run has seen yet are left out too: the cursor moved past them.
    expect(thread.cursor).toBe(from);
    expect(await messagesAfter(db, threadId, thread.cursor, 50)).toEqual([after]);
    const history = await historyBefore(db, threadId, after.id, 50, thread.history_from);
    expect(history.map((m) => m.content)).toEqual(['after the reset']);
    expect((await searchMessages(db, threadId, 'reset')).map((m) => m.content)).toContain(
      'before the reset',
    );
    await addMemory(db, threadId, 'likes tea');
    await addMemory(db, otherId, 'likes coffee');
    expect(await clearThreadMemory(db, threadId)).toBe(1);
    expect(await listMemories(db, threadId)).toEqual([]);
    expect(await listMemories(db, otherId)).toHaveLength(1);
  });
});
