import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ServiceUnavailableError } from '@gridbot/core';
import pg from 'pg';
import { PgToolFailedError, PgToolMissingError } from './maintenance-errors.ts';

/** How `pg_dump`/`pg_restore` reach the database without the password in their argv. */
export interface PgConnection {
  /** The connection string for `-d`, password removed. */
  target: string;
  /** Extra environment for the child (`PGPASSWORD` when the URL held one). */
  env: Record<string, string>;
  /** Hides the URL and the password in text that is about to be shown. */
  redact(text: string): string;
}

/**
 * Splits the password out of a postgres URL: it goes to `PGPASSWORD`, because argv is
 * visible to every user of the host (`ps`), the environment only to the same user.
 */
export function pgConnection(connectionString: string): PgConnection {
  let target = connectionString;
  let password = '';
  try {
    const url = new URL(connectionString);
    if (url.password) {
      password = decodeURIComponent(url.password);
      url.password = '';
      target = url.toString();
    }
  } catch {
    // Not a URL (a libpq key=value string): pass it through as is.
  }
  const secrets = [connectionString, password, encodeURIComponent(password)].filter(
    (s) => s.length >= 4,
  );
  return {
    target,
    env: password ? { PGPASSWORD: password } : {},
    redact(text) {
      let out = text;
      for (const secret of secrets) out = out.split(secret).join('***');
      return out.replace(/(\/\/[^:/@\s]+):[^@\s]*@/g, '$1:***@');
    },
  };
}

/** The `--version` line of a PostgreSQL client tool, or null when it is not on PATH. */
export async function pgToolVersion(tool: 'pg_dump' | 'pg_restore'): Promise<string | null> {
  try {
    let out = '';
    await runPgTool(tool, ['--version'], {
      onStdout: (line) => {
        out ||= line.trim();
      },
    });
    return out || null;
  } catch (error) {
    if (error instanceof PgToolMissingError) return null;
    throw error;
  }
}

/** `pg_dump --version` (e.g. "pg_dump (PostgreSQL) 16.4"), or null when pg_dump is not on PATH. */
export function pgDumpAvailable(): Promise<string | null> {
  return pgToolVersion('pg_dump');
}

/** `pg_restore --version`, or null when pg_restore is not on PATH. */
export function pgRestoreAvailable(): Promise<string | null> {
  return pgToolVersion('pg_restore');
}

export interface RunPgToolOptions {
  connection?: PgConnection;
  /**
   * The environment the tool runs in (PATH, locale, PGSSLMODE…), given by the caller, to
   * which the connection's own (the password) is added. Without it the tool inherits this
   * process's environment as is, so pass it whenever a connection holds a password.
   */
  env?: Readonly<Record<string, string | undefined>>;
  onStderr?: (line: string) => void;
  onStdout?: (line: string) => void;
}

const TAIL_LINES = 12;

/**
 * Runs a client tool to completion. Rejects with `PgToolMissingError` when it is not
 * installed, `PgToolFailedError` (with its last stderr lines, redacted) when it fails.
 */
export function runPgTool(
  tool: string,
  args: string[],
  options: RunPgToolOptions = {},
): Promise<void> {
  const redact = options.connection?.redact ?? ((text: string) => text);
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      env: options.env && { ...options.env, ...options.connection?.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onStderr?.(line);
    });
    createInterface({ input: child.stdout }).on('line', (line) => options.onStdout?.(line));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new PgToolMissingError(tool, { cause: error })
          : new PgToolFailedError(tool, null, [redact(error.message)]),
      );
    });
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new PgToolFailedError(tool, code, tail.map(redact)));
    });
  });
}

/** Runs `fn` with one short-lived connection; a connection failure names the fix. */
export async function withPgClient<T>(
  connectionString: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new ServiceUnavailableError(
      'postgres',
      `Cannot connect to the database (${pgConnection(connectionString).redact((error as Error).message)}). Check DATABASE_URL and that Postgres is running.`,
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Tables with data in the user schemas, as `schema.table` (what pg_dump dumps). */
export async function listUserTables(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r'
        and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
      order by 1`,
  );
  return result.rows.map((r) => r.name);
}
