import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demuxAttachStream } from './demux-attach-stream.ts';

/** One frame of the engine's multiplexed stream: kind 1 is stdout, 2 stderr. */
function frame(kind: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function demuxed(maxBytes = Number.MAX_SAFE_INTEGER) {
  const source = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  let overflows = 0;
  demuxAttachStream(source, { stdout, stderr, maxBytes, onOverflow: () => overflows++ });
  return {
    send: (chunk: Buffer) => source.emit('data', chunk),
    stdout: () => Buffer.concat(out).toString(),
    stderr: () => Buffer.concat(err).toString(),
    overflows: () => overflows,
  };
}

describe('demuxAttachStream', () => {
  it('sends stdout frames to stdout and stderr frames to stderr', () => {
    const d = demuxed();
    d.send(Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, 'out two\n')]));
    expect(d.stdout()).toBe('out one\nout two\n');
    expect(d.stderr()).toBe('err\n');
  });

  it('reassembles frames whose header and payload arrive in pieces', () => {
    const d = demuxed();
    const bytes = Buffer.concat([frame(1, 'hello world'), frame(2, 'oops')]);
    for (let i = 0; i < bytes.length; i += 3) d.send(bytes.subarray(i, i + 3));
    expect(d.stdout()).toBe('hello world');
    expect(d.stderr()).toBe('oops');
  });

  it('takes a chunk of many tiny frames without overflowing the stack', () => {
    const d = demuxed();
    const frames = Array.from({ length: 50_000 }, () => frame(2, 'x'));
    expect(() => d.send(Buffer.concat(frames))).not.toThrow();
    expect(d.stderr()).toHaveLength(50_000);
  });

  it('drops output past the cap and reports the overflow once', () => {
    const d = demuxed(10);
    d.send(frame(1, '12345678'));
    d.send(frame(2, 'abc'));
    d.send(frame(1, 'more'));
    expect(d.stdout()).toBe('12345678');
    expect(d.stderr()).toBe('');
    expect(d.overflows()).toBe(1);
  });
});
