import { type Kysely, sql } from 'kysely';
import type { Database, Message } from '../database.ts';

/**
 * Starts a fresh context for the thread (`/reset`): every message stored so far stays
 * stored and searchable, but no later run sends it to the model, neither as history nor as
 * new input. The cursor moves past them too (it only ever grows, so a run in progress still
 * commits what it consumed), else context messages not yet seen by a run would reach the
 * next one, and a trigger left unanswered would have the sweeper re-enqueue the thread for
 * nothing. Returns the id of the last message left out (0 when the thread had none).
 */
export async function resetHistory(db: Kysely<Database>, threadId: number): Promise<number> {
  const last = sql<number>`coalesce((select max(id) from messages where thread_id = ${threadId}), 0)`;
  const row = await db
    .updateTable('threads')
    .set({
      history_from: last,
      cursor: sql<number>`greatest(cursor, ${last})`,
    })
    .where('id', '=', threadId)
    .returning('history_from')
    .executeTakeFirstOrThrow();
  return Number(row.history_from);
}

/** Deletes the thread's memory (`/reset memory`); returns how many entries there were. */
export async function clearThreadMemory(db: Kysely<Database>, threadId: number): Promise<number> {
  const result = await db
    .deleteFrom('memories')
    .where('thread_id', '=', threadId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One hit of {@link searchMessages}. */
export interface MessageMatch {
  id: number;
  senderName: string;
  role: Message['role'];
  content: string;
  sentAt: Date;
}

/**
 * The thread's messages that best match `words` (web-search syntax: `"a phrase"`, `-not`,
 * `or`), best first, then newest. Uses the `simple` configuration of the GIN index
 * `messages_content_search`, so the expression below must stay exactly as indexed.
 */
export async function searchMessages(
  db: Kysely<Database>,
  threadId: number,
  words: string,
  limit = 5,
): Promise<MessageMatch[]> {
  const document = sql`to_tsvector('simple', content)`;
  const query = sql`websearch_to_tsquery('simple', ${words})`;
  const base = db
    .selectFrom('messages')
    .select(['id', 'sender_name', 'role', 'content', 'sent_at'])
    .where('thread_id', '=', threadId);
  const rows = CJK.test(words)
    ? // Chinese, Japanese and Korean are written without spaces: the `simple` parser makes one
      // token of a whole run of characters, so these terms are found as substrings instead.
      await cjkTerms(words)
        .reduce(
          (q, term) => q.where('content', 'ilike', `%${term.replace(/[\\%_]/g, '\\$&')}%`),
          base,
        )
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
    : await base
        .where(sql<boolean>`${document} @@ ${query}`)
        .orderBy(sql`ts_rank(${document}, ${query})`, 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
  return rows.map((r) => ({
    id: r.id,
    senderName: r.sender_name,
    role: r.role,
    content: r.content,
    sentAt: r.sent_at,
  }));
}

/** Han, kana and Hangul: scripts written without spaces between words. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** The terms of a search in those scripts: its words, quotes dropped, every one required. */
function cjkTerms(words: string): string[] {
  return words
    .replaceAll('"', ' ')
    .split(/\s+/)
    .filter((term) => term !== '' && term.toLowerCase() !== 'or' && !term.startsWith('-'));
}

/** Whether `words` hold anything to search for in the `simple` configuration. */
export async function isSearchable(db: Kysely<Database>, words: string): Promise<boolean> {
  if (CJK.test(words)) return cjkTerms(words).length > 0;
  const { rows } = await sql<{
    empty: boolean;
  }>`select querytree(websearch_to_tsquery('simple', ${words})) in ('', 'T') as empty`.execute(db);
  return rows[0]?.empty === false;
}

/** What `/stats` reports about a thread. */
export interface ThreadStats {
  messages: { user: number; assistant: number; system: number };
  /** Runs per status, e.g. `{ succeeded: 12, failed: 1 }`. */
  runs: Record<string, number>;
  /** Tokens per provider and model. */
  tokens: { provider: string; model: string; input: number; output: number }[];
  firstActivity: Date | null;
  lastActivity: Date | null;
}

/** Counts of a thread's messages, runs and tokens, and its first and last message. */
export async function threadStats(db: Kysely<Database>, threadId: number): Promise<ThreadStats> {
  const [messages, runs, tokens] = await Promise.all([
    db
      .selectFrom('messages')
      .select([
        sql<number>`count(*) filter (where role = 'user')::int`.as('user'),
        sql<number>`count(*) filter (where role = 'assistant')::int`.as('assistant'),
        sql<number>`count(*) filter (where role = 'system')::int`.as('system'),
        sql<Date | null>`min(sent_at)`.as('first'),
        sql<Date | null>`max(sent_at)`.as('last'),
      ])
      .where('thread_id', '=', threadId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('agent_runs')
      .select(['status', sql<number>`count(*)::int`.as('count')])
      .where('thread_id', '=', threadId)
      .groupBy('status')
      .execute(),
    db
      .selectFrom('token_ledger')
      .select([
        'provider',
        'model',
        sql<string>`sum(input_tokens)`.as('input'),
        sql<string>`sum(output_tokens)`.as('output'),
      ])
      .where('thread_id', '=', threadId)
      .groupBy(['provider', 'model'])
      .orderBy('provider')
      .orderBy('model')
      .execute(),
  ]);
  return {
    messages: { user: messages.user, assistant: messages.assistant, system: messages.system },
    runs: Object.fromEntries(runs.map((r) => [r.status, r.count])),
    tokens: tokens.map((t) => ({
      provider: t.provider,
      model: t.model,
      input: Number(t.input),
      output: Number(t.output),
    })),
    firstActivity: messages.first === null ? null : new Date(messages.first),
    lastActivity: messages.last === null ? null : new Date(messages.last),
  };
}
