import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export interface CreateDatabaseOptions {
  connectionString: string;
  /** Pool size. */
  max?: number;
  /** Name reported to Postgres (`application_name`). */
  applicationName?: string;
  /** Called when an idle pooled connection fails (the pool replaces it). */
  onPoolError?: (error: Error) => void;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/**
 * Opens a pooled Kysely connection. `bigint` columns come back as JS numbers (ids stay
 * far below 2^53); `numeric` stays a string so money never loses precision, and `date`
 * stays `YYYY-MM-DD` (no time zone shift).
 */
export function createDatabase(options: CreateDatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'gridbot',
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return (value: string) => Number(value);
        if (oid === NUMERIC || oid === DATE) return (value: string) => value;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.onPoolError?.(error));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
