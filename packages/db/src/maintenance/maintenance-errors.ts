import { GridBotError } from '@gridbot/core';

/** `pg_dump` or `pg_restore` is not on PATH. */
export class PgToolMissingError extends GridBotError {
  readonly tool: string;
  constructor(tool: string, options?: { cause?: unknown }) {
    super(
      `${tool} was not found on PATH. Install the PostgreSQL client tools (the same major version as the server, or newer), e.g. \`apt-get install postgresql-client\`.`,
      options,
    );
    this.name = 'PgToolMissingError';
    this.tool = tool;
  }
}

/** `pg_dump` or `pg_restore` exited with an error; `stderrTail` holds its last lines (redacted). */
export class PgToolFailedError extends GridBotError {
  readonly tool: string;
  readonly exitCode: number | null;
  readonly stderrTail: string[];
  constructor(tool: string, exitCode: number | null, stderrTail: string[]) {
    const detail = stderrTail.length > 0 ? `:\n${stderrTail.join('\n')}` : '.';
    super(`${tool} failed (exit code ${exitCode ?? 'none: killed by a signal'})${detail}`);
    this.name = 'PgToolFailedError';
    this.tool = tool;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

/** The backup file to restore does not exist or is not a pg_dump custom-format archive. */
export class BackupFileError extends GridBotError {
  readonly file: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot restore ${file}: ${reason}`, options);
    this.name = 'BackupFileError';
    this.file = file;
  }
}

/** The restore target already holds GridBot tables; restoring over them needs `force`. */
export class RestoreTargetNotEmptyError extends GridBotError {
  readonly tables: string[];
  constructor(tables: string[]) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    super(
      `The target database is not empty: it already has GridBot tables (${shown}). Restore into a new, empty database, or force it (\`gridbot restore --force\`) to drop and replace those tables.`,
    );
    this.name = 'RestoreTargetNotEmptyError';
    this.tables = tables;
  }
}
