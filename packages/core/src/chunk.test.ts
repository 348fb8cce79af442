import { describe, expect, it } from 'vitest';
import { chunkText } from './chunk.ts';

/** Counts fence lines: every chunk must open and close its code blocks. */
function fencesBalanced(chunk: string): boolean {
  return chunk.split('\n').filter((line) => /^\s*```/.test(line)).length % 2 === 0;
}

describe('chunkText', () => {
  it('keeps short text whole', () => {
    expect(chunkText('hello', 4096)).toEqual(['hello']);
  });

  it('splits 10,000 characters into ordered chunks within the limit, losing no words', () => {
    const words = Array.from({ length: 1500 }, (_, i) => `w${i}`);
    const text = words.join(' ');
    const chunks = chunkText(text, 4096);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4096);
    expect(chunks.join(' ').split(' ')).toEqual(words);
  });

  it('prefers paragraph boundaries', () => {
    const a = 'a'.repeat(60);
    const b = 'b'.repeat(60);
    expect(chunkText(`${a}\n\n${b}`, 100)).toEqual([a, b]);
  });

  it('hard-cuts a long word without splitting a surrogate pair', () => {
    const text = `${'x'.repeat(63)}😀${'y'.repeat(40)}`;
    const chunks = chunkText(text, 64);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(64);
  });

  it('closes and reopens a code block cut across chunks', () => {
    const code = Array.from({ length: 200 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const text = `Here:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`;
    const chunks = chunkText(text, 500);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(500);
      expect(fencesBalanced(chunk)).toBe(true);
    }
    expect(chunks[1]?.startsWith('```ts\n')).toBe(true);
    const lines = chunks
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('const'));
    expect(lines).toEqual(code.split('\n'));
  });
});
