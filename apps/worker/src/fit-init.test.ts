import { MAX_LINE_BYTES } from '@gridbot/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sampleInit } from '../../../tests/support/sample-init.ts';
import { fitInitToLine } from './fit-init.ts';

const log = pino({ level: 'silent' });
const line = (params: unknown) =>
  Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params }));
const entry = (i: number) => `${String(i).padStart(4, '0')} ${'é'.repeat(3_990)}`;

describe('fitInitToLine', () => {
  it('leaves an init that fits as it is', () => {
    const init = sampleInit({ memory: { thread: ['standup at 9'], global: ['be brief'] } });
    expect(fitInitToLine(init, log)).toBe(init);
  });

  it('leaves out the oldest memory, newest kept, with a note, until one line holds it', () => {
    // 300 entries of about 8 KB: 2.4 MB of memory, more than twice a line.
    const thread = Array.from({ length: 300 }, (_, i) => entry(i));
    const init = sampleInit({ memory: { thread, global: ['be brief'] } });
    const fitted = fitInitToLine(init, log);
    expect(line(fitted)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const [note, ...kept] = fitted.memory.thread;
    expect(note).toMatch(/^\(\d+ older entries are left out of this run/);
    const leftOut = Number(/^\((\d+)/.exec(note ?? '')?.[1]);
    expect(kept).toEqual(thread.slice(leftOut));
    expect(kept.at(-1)).toBe(entry(299));
    expect(fitted.memory.global).toEqual(['be brief']);
    expect(fitted.newMessages).toEqual(init.newMessages);
  });

  it('takes from the larger memory first, then from the oldest history', () => {
    const big = Array.from({ length: 150 }, (_, i) => entry(i));
    const history = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      role: 'user' as const,
      senderName: 'Alice',
      text: 'x'.repeat(2_000),
      sentAt: '2025-01-01T00:00:00Z',
    }));
    const init = sampleInit({ memory: { thread: big, global: big }, history });
    const fitted = fitInitToLine(init, log, 200_000);
    expect(line(fitted)).toBeLessThanOrEqual(200_000);
    expect(fitted.memory.thread[0]).toMatch(/left out/);
    expect(fitted.memory.global[0]).toMatch(/left out/);
    expect(fitted.history.at(-1)).toEqual(history.at(-1));
    expect(fitted.history.length).toBeLessThan(history.length);
  });
});
