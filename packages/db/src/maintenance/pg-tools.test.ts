import { describe, expect, it } from 'vitest';
import { PgToolMissingError } from './maintenance-errors.ts';
import { pgConnection, runPgTool } from './pg-tools.ts';

describe('pgConnection', () => {
  it('moves the password from the URL to PGPASSWORD and redacts it from output', () => {
    const url = 'postgres://gridbot:p%40ss%3Aw0rd@db.internal:5432/gridbot?sslmode=require';
    const c = pgConnection(url);
    expect(c.target).toBe('postgres://gridbot@db.internal:5432/gridbot?sslmode=require');
    expect(c.env).toEqual({ PGPASSWORD: 'p@ss:w0rd' });
    const shown = c.redact(`failed for ${url}; password p@ss:w0rd; other postgres://u:x1@h/d`);
    expect(shown).not.toContain('p@ss:w0rd');
    expect(shown).not.toContain('p%40ss');
    expect(shown).not.toContain('x1@');
  });

  it('passes a URL without a password through unchanged', () => {
    const c = pgConnection('postgres://postgres@127.0.0.1/x');
    expect(c.target).toBe('postgres://postgres@127.0.0.1/x');
    expect(c.env).toEqual({});
  });
});

describe('runPgTool', () => {
  it('names a missing tool', async () => {
    await expect(runPgTool('pg_dump_not_installed_here', ['--version'])).rejects.toThrow(
      PgToolMissingError,
    );
  });
});
