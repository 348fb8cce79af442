import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

export interface LedgerEntry {
  threadId: number | null;
  runId: number | null;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

/** One row per provider call. */
export async function recordTokens(db: Kysely<Database>, entry: LedgerEntry): Promise<void> {
  await db
    .insertInto('token_ledger')
    .values({
      scope: entry.threadId === null ? 'global' : 'thread',
      thread_id: entry.threadId,
      run_id: entry.runId,
      provider: entry.provider,
      model: entry.model,
      input_tokens: entry.inputTokens,
      output_tokens: entry.outputTokens,
    })
    .execute();
}

/** Tokens (input + output) a thread used since midnight in `timeZone`. */
export async function tokensUsedToday(
  db: Kysely<Database>,
  threadId: number,
  timeZone: string,
): Promise<number> {
  const row = await db
    .selectFrom('token_ledger')
    .select(sql<string>`coalesce(sum(input_tokens + output_tokens), 0)`.as('used'))
    .where('thread_id', '=', threadId)
    .where(
      'created_at',
      '>=',
      sql<Date>`date_trunc('day', now() at time zone ${timeZone}) at time zone ${timeZone}`,
    )
    .executeTakeFirstOrThrow();
  return Number(row.used);
}

/** Today's date (YYYY-MM-DD) in `timeZone`, as Postgres sees it. */
export async function todayIn(db: Kysely<Database>, timeZone: string): Promise<string> {
  const row = await sql<{
    today: string;
  }>`select to_char(now() at time zone ${timeZone}, 'YYYY-MM-DD') as today`.execute(db);
  return row.rows[0]!.today;
}
