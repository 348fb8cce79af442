/**
 * A fake model for the channel suites: it answers `回复 <token>` for the last token (a
 * prefix letter and three digits, e.g. `F104`) of the newest message, or `long` when that
 * message asks for a 长回复 (a long reply), so each reply names the message it answers.
 */
export function tokenReplies(prefix: string, long: string) {
  const pattern = new RegExp(`${prefix}\\d{3}`, 'g');
  return (body: Record<string, unknown>): { text: string } => {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const text = JSON.stringify(messages.at(-1) ?? null);
    if (text.includes('长回复')) return { text: long };
    return { text: `回复 ${(text.match(pattern) ?? []).at(-1) ?? 'none'}` };
  };
}

/** Fresh tokens of that prefix: `F100`, `F101`, … */
export function tokens(prefix: string): () => string {
  let next = 100;
  return () => `${prefix}${next++}`;
}
