/** What a {@link LineSplitter} produces: a complete line, or an over-long one it dropped. */
export type LineEvent = { kind: 'line'; line: string } | { kind: 'overflow'; bytes: number };

/**
 * Splits a byte stream into newline-terminated lines, refusing any line longer than
 * `maxBytes`: the over-long line is dropped (reported once as `overflow`) and reading
 * resumes after its newline, so one bad line cannot exhaust memory.
 */
export class LineSplitter {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;
  #overflowing = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds a chunk; returns the events it completes. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      const piece = chunk.subarray(start, end);
      if (!this.#overflowing) {
        if (this.#size + piece.length > this.#maxBytes) {
          this.#overflowing = true;
          this.#parts = [];
        } else {
          this.#parts.push(piece);
        }
      }
      this.#size += piece.length;
      if (newline === -1) break;
      if (this.#overflowing) {
        events.push({ kind: 'overflow', bytes: this.#size });
      } else {
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
