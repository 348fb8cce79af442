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
