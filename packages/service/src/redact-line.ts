/** What stands in for a removed secret. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are secrets by their name, at any depth: `authorization`, `cookie`,
 * `set-cookie`, `x-api-key`, `botToken`, `client_secret`, `DB_PASSWORD` … The name is
 * compared lower-cased without `-`/`_`, by its ending, so counts such as `tokens`,
 * `inputTokens` or `max_tokens` stay readable.
 */
const SECRET_KEY =
  /(token|secret|secrets|password|passwd|apikey|apikeys|authorization|cookie|cookies|credential|credentials|privatekey)$/;

/** Whether a field of this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** Shorter values are not scrubbed: they would also mask ordinary words in every line. */
const MIN_SECRET_LENGTH = 6;

/**
 * The forms a secret takes in a log line: as it is, JSON-escaped once and twice (a JSON
 * body logged as a string inside the JSON line), and URL-encoded (a password in a URL).
 */
function spellings(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [secret, once, twice, encodeURIComponent(secret)];
}

/**
 * A function that removes secrets from one JSON log line: every value under a key named
 * like a secret ({@link isSecretKey}), whatever its depth, and every known secret value,
 * in any of its {@link spellings}, wherever it occurs. A line that is not JSON has the
 * values removed from its text.
 */
export function createLineRedactor(secrets: readonly string[]): (line: string) => string {
  const forms = [
    ...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(spellings)),
  ]
    // Longest first, so a secret containing another is removed whole.
    .sort((a, b) => b.length - a.length);
  const scrub = (text: string): string => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[scrub(key)] = isSecretKey(key) && inner !== null ? REDACTED : walk(inner);
    }
    return out;
  };
  return (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return scrub(line);
    }
    const newline = line.endsWith('\n') ? '\n' : '';
    // Once more on the final text, where every value is JSON-escaped again.
    return scrub(JSON.stringify(walk(parsed))) + newline;
  };
}
