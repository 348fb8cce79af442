import type { Database } from '@gridbot/db';
import { type Kysely, sql } from 'kysely';
import { type ChartData, fillSeries } from './time-series.ts';

const DAY_MS = 24 * 3600_000;

/** Tokens one thread used over the window. */
export interface ThreadUsage {
  threadId: number;
  jid: string;
  title: string | null;
  input: number;
  output: number;
  total: number;
}

/** Midnight UTC `days - 1` days before today: the window holds `days` calendar days. */
function windowStart(days: number, now: Date): Date {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return new Date(today - (days - 1) * DAY_MS);
}

/**
 * Tokens (input + output) per UTC day of the last `days` days (today included), one
 * dataset per provider (alphabetical), 0 on days a provider was not used.
 */
export async function dailyUsage(
  db: Kysely<Database>,
  days: number,
  now = new Date(),
): Promise<ChartData> {
  const from = windowStart(days, now);
  const rows = await db
    .selectFrom('token_ledger')
    .select([
      'provider',
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'),
      sql<number>`sum(input_tokens::bigint + output_tokens::bigint)`.as('tokens'),
    ])
    .where('created_at', '>=', from)
    .groupBy(['provider', sql`2`])
    .execute();
  const providers = [...new Set(rows.map((row) => row.provider))].sort();
  return fillSeries(
    rows.map((row) => ({
      bucket: new Date(`${row.day}T00:00:00Z`),
      series: row.provider,
      value: Number(row.tokens),
    })),
    {
      from,
      to: now,
      stepMs: DAY_MS,
      series: providers,
      label: (d) => d.toISOString().slice(0, 10),
    },
  );
}

/** The threads that used the most tokens over the same window, most first. */
export async function usageByThread(
  db: Kysely<Database>,
  days: number,
  limit: number,
  now = new Date(),
): Promise<ThreadUsage[]> {
  const rows = await db
    .selectFrom('token_ledger')
    .innerJoin('threads', 'threads.id', 'token_ledger.thread_id')
    .select([
      'threads.id as thread_id',
      'threads.jid as jid',
      'threads.title as title',
      sql<number>`sum(token_ledger.input_tokens::bigint)`.as('input'),
      sql<number>`sum(token_ledger.output_tokens::bigint)`.as('output'),
    ])
    .where('token_ledger.created_at', '>=', windowStart(days, now))
    .groupBy('threads.id')
    .orderBy(
      sql`sum(token_ledger.input_tokens::bigint + token_ledger.output_tokens::bigint)`,
      'desc',
    )
    .orderBy('threads.id')
    .limit(limit)
    .execute();
  return rows.map((row) => {
    const input = Number(row.input);
    const output = Number(row.output);
    return {
      threadId: row.thread_id,
      jid: row.jid,
      title: row.title,
      input,
      output,
      total: input + output,
    };
  });
}
