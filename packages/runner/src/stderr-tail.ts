const MAX_LINE_CHARS = 1024;
const KEEP_LINES = 10;

/** Cuts `text` to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more chars)`;
}

/**
 * Splits an agent's stderr into lines and keeps the last few (bounded in memory however much
 * the agent writes), so a failure message can say what the agent printed before it died.
 */
export class StderrTail {
  #lines: string[] = [];
  #partial = '';

  /** Feeds a chunk; returns the complete lines it ends, each cut to a loggable length. */
  push(chunk: Buffer | string): string[] {
    const pieces = (this.#partial + chunk.toString()).split('\n');
    const rest = pieces.pop() ?? '';
    // A newline-free flood must not grow without bound: keep only its beginning.
    this.#partial = rest.length > 4 * MAX_LINE_CHARS ? rest.slice(0, 4 * MAX_LINE_CHARS) : rest;
    const lines = pieces
      .map((line) => truncate(line.replace(/\r$/, ''), MAX_LINE_CHARS))
      .filter((line) => line.length > 0);
    this.#lines.push(...lines);
    if (this.#lines.length > KEEP_LINES) this.#lines.splice(0, this.#lines.length - KEEP_LINES);
    return lines;
  }

  /** The last lines (including an unterminated one), newline-joined, at most `maxBytes` UTF-8 bytes. */
  text(maxBytes = 1024): string {
    const partial = truncate(this.#partial, MAX_LINE_CHARS);
    const all = [...this.#lines, ...(partial ? [partial] : [])].join('\n');
    const bytes = Buffer.from(all, 'utf8');
    if (bytes.length <= maxBytes) return all;
    return `…${bytes.subarray(bytes.length - maxBytes + 3).toString('utf8')}`;
  }
}
