import type { Readable, Writable } from 'node:stream';

const FRAME_HEADER = 8;
const STDERR = 2;

export interface DemuxAttachOptions {
  stdout: Writable;
  stderr: Writable;
  /** Payload bytes (stdout plus stderr) forwarded at most; later frames are dropped. */
  maxBytes: number;
  /** Called once, when a frame would take the output past `maxBytes`. */
  onOverflow: () => void;
}

/**
 * Splits the engine's multiplexed attach stream (non-TTY: 8-byte header with the stream
 * kind in byte 0 and the payload size in bytes 4–7, then the payload) into stdout and
 * stderr, and enforces the output cap on the way.
 *
 * Not `docker.modem.demuxStream` (docker-modem 5.0.7): it recurses twice per frame of a
 * chunk and copies the rest of the buffer for every frame. A chunk of ~5,000 small frames
 * (an agent writing in tiny pieces while the worker reads slowly) overflows the call stack
 * inside a socket `data` listener, an uncaught exception that takes the worker down, and
 * 50,000 take it 20 s of copying; the demux test covers that case. It also has no hook for
 * the output cap, which would need two counting streams in between.
 */
export function demuxAttachStream(source: Readable, options: DemuxAttachOptions): void {
  let pending: Buffer = Buffer.alloc(0);
  let bytes = 0;
  let overflowed = false;
  source.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= FRAME_HEADER) {
      const size = pending.readUInt32BE(4);
      if (pending.length < FRAME_HEADER + size) break;
      const payload = pending.subarray(FRAME_HEADER, FRAME_HEADER + size);
      const kind = pending[0];
      pending = pending.subarray(FRAME_HEADER + size);
      bytes += size;
      if (bytes > options.maxBytes) {
        if (!overflowed) options.onOverflow();
        overflowed = true;
        continue;
      }
      (kind === STDERR ? options.stderr : options.stdout).write(payload);
    }
  });
}
