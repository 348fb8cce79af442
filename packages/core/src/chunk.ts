const FENCE_LINE = /^\s*(```+)(.*)$/;
const CLOSE = '\n```';

/** Where to cut `text` so the first piece has at most `max` UTF-16 units; and how much separator to drop. */
function findCut(text: string, max: number): { at: number; skip: number } {
  if (text.length <= max) return { at: text.length, skip: 0 };
  const window = text.slice(0, max + 1);
  const floor = Math.floor(max / 2);
  for (const [separator, skip] of [
    ['\n\n', 2],
    ['\n', 1],
    [' ', 1],
  ] as const) {
    const at = window.lastIndexOf(separator, max - (separator.length === 2 ? 1 : 0));
    if (at >= floor) return { at, skip };
  }
  // Chinese and Japanese have no spaces: cut after the last full stop, question or
  // exclamation mark, semicolon or comma, which stays with its sentence.
  for (const marks of [/[。！？；]/g, /[，、]/g]) {
    let last = -1;
    for (const match of window.slice(0, max).matchAll(marks)) last = match.index;
    if (last + 1 >= floor) return { at: last + 1, skip: 0 };
  }
  // No separator: hard cut, never between the halves of a surrogate pair.
  const code = text.charCodeAt(max - 1);
  const at = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return { at, skip: 0 };
}

/** The opening fence line still open at the end of `text`, or null. */
function openFenceAfter(text: string, initial: string | null): string | null {
  let open = initial;
  for (const line of text.split('\n')) {
    const match = FENCE_LINE.exec(line);
    if (!match) continue;
    open = open === null ? line.trim() : null;
  }
  return open;
}

/**
 * Splits text into chunks of at most `limit` characters (UTF-16 units, as Telegram and
 * Discord count them), in order, preferring paragraph, then line, then word boundaries.
 * A Markdown code block cut in two is closed at the end of one chunk and reopened, with
 * its language, at the start of the next, so every chunk renders on its own.
 */
export function chunkText(text: string, limit: number): string[] {
  if (limit < 32) throw new RangeError(`chunk limit must be at least 32, got ${limit}`);
  const chunks: string[] = [];
  let rest = text;
  let fence: string | null = null;
  while (rest.length > 0) {
    const prefix = fence === null ? '' : `${fence}\n`;
    if (prefix.length + rest.length <= limit) {
      chunks.push(prefix + rest);
      break;
    }
    const budget = limit - prefix.length - CLOSE.length;
    const { at, skip } = findCut(rest, budget);
    const piece = rest.slice(0, at);
    rest = rest.slice(at + skip);
    const body = prefix + piece;
    const openAtEnd = openFenceAfter(piece, fence);
    if (piece.trim().length > 0) chunks.push(openAtEnd === null ? body : body + CLOSE);
    fence = openAtEnd;
  }
  return chunks;
}
