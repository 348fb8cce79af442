import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export interface CreateDatabaseOptions {
  connectionString: string;
  /** Pool size. */
  max?: number;
  /** Name reported to Postgres (`application_name`). */
  applicationName?: string;
  /**
   * Called when a pooled connection fails, idle or checked out (Postgres restarted, the
   * network dropped). The pool replaces it; a query in flight on it rejects and is retried by
   * its caller.
   */
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
  // A client losing its connection must not crash the process. pg-pool listens only on idle
  // clients; a checked-out client's 'error' (Postgres restarting mid-query) would otherwise be
  // unhandled and kill the process. Its query rejects on its own, and the pool discards it.
  const report = (error: Error) => options.onPoolError?.(error);
  pool.on('error', report);
  pool.on('connect', (client) => {
    client.on('error', report);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
