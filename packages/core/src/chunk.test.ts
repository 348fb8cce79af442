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

  it('cuts Chinese text after a sentence, never inside a character or a surrogate pair', () => {
    // 𠀀 (U+20000) is one character of two UTF-16 units.
    const sentence = (i: number) => `这是第${i}句话，其中有汉字𠀀与标点。`;
    const text = Array.from({ length: 400 }, (_, i) => sentence(i)).join('');
    expect(text.length).toBeGreaterThan(5_000);
    const chunks = chunkText(text, 3000);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(3000);
      expect(chunk.endsWith('。') || chunk === chunks.at(-1)).toBe(true);
      expect(chunk.isWellFormed()).toBe(true);
    }
    // Without sentence ends, a comma will do; without either, a hard cut keeps pairs whole.
    const commas = Array.from({ length: 300 }, () => '一二三四五六七八九十，').join('');
    for (const chunk of chunkText(commas, 1000)) expect(chunk.endsWith('，')).toBe(true);
    const bare = '𠀀'.repeat(2000);
    const pieces = chunkText(bare, 999);
    expect(pieces.join('')).toBe(bare);
    for (const piece of pieces) expect(piece.isWellFormed()).toBe(true);
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
