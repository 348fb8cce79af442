import { describe, expect, it } from 'vitest';
import { StderrTail } from './stderr-tail.ts';

describe('StderrTail', () => {
  it('returns complete lines and keeps the unterminated one for the tail', () => {
    const tail = new StderrTail();
    expect(tail.push('starting\nloa')).toEqual(['starting']);
    expect(tail.push('ded\nboom')).toEqual(['loaded']);
    expect(tail.text()).toBe('starting\nloaded\nboom');
  });

  it('keeps only the last lines, within the byte budget', () => {
    const tail = new StderrTail();
    for (let i = 0; i < 100; i++) tail.push(`line ${i} ${'x'.repeat(200)}\n`);
    const text = tail.text(1024);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(text).toContain('line 99 ');
    expect(text).not.toContain('line 80 ');
  });

  it('stays bounded when the agent floods stderr without newlines', () => {
    const tail = new StderrTail();
    for (let i = 0; i < 100; i++) tail.push('y'.repeat(100_000));
    expect(tail.text().length).toBeLessThanOrEqual(1024);
  });
});
