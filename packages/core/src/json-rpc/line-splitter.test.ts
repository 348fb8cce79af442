import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.ts';

describe('LineSplitter', () => {
  it('joins lines across chunks and skips blank lines', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from('{"a":'))).toEqual([]);
    expect(splitter.push(Buffer.from('1}\n\n{"b":2}\r\n'))).toEqual([
      { kind: 'line', line: '{"a":1}' },
      { kind: 'line', line: '{"b":2}' },
    ]);
  });

  it('drops an over-long line and recovers on the next one', () => {
    const splitter = new LineSplitter(10);
    const events = [
      ...splitter.push(Buffer.from('x'.repeat(8))),
      ...splitter.push(Buffer.from('x'.repeat(8))),
      ...splitter.push(Buffer.from('\nok\n')),
    ];
    expect(events).toEqual([
      { kind: 'overflow', bytes: 16 },
      { kind: 'line', line: 'ok' },
    ]);
  });
});

describe('LineSplitter framing', () => {
  it('returns every line of a chunk, in order, and accepts strings', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push('one\ntwo\nthree\nfo')).toEqual([
      { kind: 'line', line: 'one' },
      { kind: 'line', line: 'two' },
      { kind: 'line', line: 'three' },
    ]);
    expect(splitter.push('ur\n')).toEqual([{ kind: 'line', line: 'four' }]);
  });

  it('keeps a character split across chunks whole', () => {
    const splitter = new LineSplitter(100);
    const bytes = Buffer.from('é\n');
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([]);
    expect(splitter.push(bytes.subarray(1))).toEqual([{ kind: 'line', line: 'é' }]);
  });

  it('reports an over-long line once, as soon as it passes the limit', () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push('x'.repeat(11))).toEqual([{ kind: 'overflow', bytes: 11 }]);
    expect(splitter.push('x'.repeat(50))).toEqual([]);
    expect(splitter.push('x\n')).toEqual([]);
    expect(splitter.push(`${'y'.repeat(10)}\n`)).toEqual([{ kind: 'line', line: 'y'.repeat(10) }]);
  });

  it('counts bytes, not characters', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push('éé\n')).toEqual([{ kind: 'line', line: 'éé' }]);
    expect(splitter.push('ééé\n')).toEqual([{ kind: 'overflow', bytes: 6 }]);
  });
});
