/** Escapes a string for literal use inside a regular expression. */
function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A case-insensitive pattern that finds `word` (or phrase) as a whole word: "help" matches
 * "Help me" and "need help!", not "helpful". Works for any script (Unicode letters).
 */
export function wordPattern(word: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(word.trim())}(?![\\p{L}\\p{N}_])`, 'iu');
}

/** Names the first problem of a zod-style issue list, for a config error message. */
export function describeIssues(
  issues: readonly { path: PropertyKey[]; message: string }[],
): string {
  return issues
    .map((issue) => `${issue.path.map(String).join('.') || '(block)'}: ${issue.message}`)
    .join('; ');
}
