/**
 * Longest line (bytes, excluding the newline) either side of the agent protocol sends or
 * accepts. One JSON-RPC message is one line, so this is also the largest message.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** What a {@link LineSplitter} produces: a complete line, or an over-long one it refused. */
export type LineEvent =
  | { kind: 'line'; line: string }
  /** `bytes`: how much of the line had arrived when it passed the limit. */
  | { kind: 'overflow'; bytes: number };

/**
 * Splits a byte stream into newline-terminated lines, refusing any line longer than
 * `maxBytes`: the over-long line is reported once as `overflow` as soon as it passes the
 * limit (not when its newline finally arrives, which may be never), its bytes are dropped,
 * and reading resumes after its newline, so one bad line cannot exhaust memory. Blank lines
 * are skipped and a trailing `\r` is removed.
 */
export class LineSplitter {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;
  #overflowing = false;

  constructor(maxBytes: number = MAX_LINE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds a chunk (a string is read as UTF-8); returns the events it completes, in order. */
  push(chunk: Buffer | string): LineEvent[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const events: LineEvent[] = [];
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      const piece = bytes.subarray(start, end);
      if (!this.#overflowing) {
        if (this.#size + piece.length > this.#maxBytes) {
          this.#overflowing = true;
          this.#parts = [];
          events.push({ kind: 'overflow', bytes: this.#size + piece.length });
        } else {
          this.#parts.push(piece);
          this.#size += piece.length;
        }
      }
      if (newline === -1) break;
      if (!this.#overflowing) {
        // Joined before decoding, so a character split across chunks stays whole.
        const line = Buffer.concat(this.#parts).toString('utf8').replace(/\r$/, '');
        if (line.length > 0) events.push({ kind: 'line', line });
      }
      this.#parts = [];
      this.#size = 0;
      this.#overflowing = false;
      start = newline + 1;
    }
    return events;
  }
}
