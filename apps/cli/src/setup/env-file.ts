import { parseEnv } from 'node:util';

/**
 * `.env` text with `changes` applied: a key set to a string is updated where it stands (or
 * appended), a key set to null is removed; every other line (comments, keys set by hand)
 * stays as it was. Values are quoted when they need it, so they read back as they were.
 */
export function applyEnvChanges(text: string, changes: Record<string, string | null>): string {
  const pending = new Map(Object.entries(changes));
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) {
      lines.push(line);
      continue;
    }
    const value = pending.get(key);
    pending.delete(key);
    if (value !== null && value !== undefined) lines.push(`${key}=${quote(value)}`);
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  for (const [key, value] of pending) if (value !== null) lines.push(`${key}=${quote(value)}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The values of a `.env` text, as Node reads them (`process.loadEnvFile`). */
export function envValues(text: string): Record<string, string> {
  return parseEnv(text) as Record<string, string>;
}

/** Node's reader takes single-quoted and backtick-quoted values literally. */
function quote(value: string): string {
  if (/^[\w@%+=:,./-]*$/.test(value)) return value;
  if (value.includes('\n')) throw new Error('a .env value cannot hold a line break');
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new Error("a .env value cannot hold both ' and `");
}

/** A secret as it may be shown: its first four characters, then its length. */
export function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 4)}… (${secret.length} characters)`;
}
