import { describe, expect, it } from 'vitest';
import { KeyedOrder } from './keyed-order.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedOrder', () => {
  it('keeps each key in order while different keys overlap', async () => {
    const order = new KeyedOrder();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await pause(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      order.run('chat-1', task('a1', 30)),
      order.run('chat-2', task('b1', 5)),
      order.run('chat-1', task('a2', 1)),
      order.run('chat-2', task('b2', 1)),
    ]);
    expect(results).toEqual(['a1', 'b1', 'a2', 'b2']);
    // chat-2 did not wait for chat-1's slow first task.
    expect(log.indexOf('end b2')).toBeLessThan(log.indexOf('end a1'));
    // Within chat-1, a2 started only after a1 ended.
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
  });

  it('goes on with a key after a failure and forgets drained keys', async () => {
    const order = new KeyedOrder();
    const failing = order.run('k', async () => {
      throw new Error('boom');
    });
    const next = order.run('k', async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    await order.idle();
    await pause(0);
    expect(order.size).toBe(0);
  });
});
