/**
 * A message whose echo is a reply of over 10,000 characters, for the suites that check a
 * long reply arrives in order in chunks within the platform's limit.
 */
export const LONG_LINES: readonly string[] = Array.from(
  { length: 400 },
  (_, i) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(14)}`,
);

/** What the person writes: the echo provider repeats it, ending with `the end`. */
export const LONG_ECHO_REQUEST = `@Andy echo:\n${LONG_LINES.join('\n')}\nthe end`;

/** The numbered lines found in the chunks' texts, in the order they arrived. */
export function longLinesIn(texts: readonly string[]): string[] {
  return texts.flatMap((text) => text.split('\n')).filter((line) => line.startsWith('line '));
}
