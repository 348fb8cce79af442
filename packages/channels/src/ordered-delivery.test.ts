import { describe, expect, it } from 'vitest';
import { OrderedDelivery } from './ordered-delivery.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fast = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

describe('OrderedDelivery', () => {
  it('runs a key’s tasks one at a time in the order added, even when earlier ones are slower', async () => {
    const queue = new OrderedDelivery();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await pause(ms);
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      queue.run('chat', task('a', 30)),
      queue.run('chat', task('b', 1)),
      queue.run('chat', task('c', 10)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('passes a task’s failure to its caller and goes on with the next', async () => {
    const queue = new OrderedDelivery();
    const failing = queue.run('chat', async () => {
      throw new Error('boom');
    });
    const next = queue.run('chat', async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('lets other keys go on while one key’s task is slow or being retried', async () => {
    const queue = new OrderedDelivery();
    const log: string[] = [];
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let failuresLeft = 2;
    const slowA = queue.run('chat-a', async () => {
      await gate;
      log.push('a1');
    });
    const laterA = queue.run('chat-a', async () => {
      log.push('a2');
    });
    const retryingC = queue.run('chat-c', () =>
      queue.retry(
        async () => {
          if (failuresLeft-- > 0) throw new Error('db down');
          log.push('c1');
        },
        { attempts: 5, initialDelayMs: 1, maxDelayMs: 2 },
        () => {},
      ),
    );
    await queue.run('chat-b', async () => {
      log.push('b1');
    });
    // chat-b is done while chat-a waits for its slow commit and chat-c for its retry.
    expect(log).toEqual(['b1']);
    await expect(retryingC).resolves.toBe(true);
    expect(log).toEqual(['b1', 'c1']);
    release();
    await Promise.all([slowA, laterA]);
    expect(log).toEqual(['b1', 'c1', 'a1', 'a2']);
    await queue.close();
  });

  it('retries with doubling pauses until success, reporting each failure', async () => {
    const queue = new OrderedDelivery();
    const reports: [number, number | null][] = [];
    let calls = 0;
    const delivered = await queue.retry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('db down');
      },
      { attempts: 5, initialDelayMs: 2, maxDelayMs: 3 },
      (_error, attempt, retryInMs) => reports.push([attempt, retryInMs]),
    );
    expect(delivered).toBe(true);
    expect(reports).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('gives up after the last attempt without rejecting', async () => {
    const queue = new OrderedDelivery();
    const reports: (number | null)[] = [];
    const delivered = await queue.retry(
      async () => {
        throw new Error('always');
      },
      fast,
      (_error, _attempt, retryInMs) => reports.push(retryInMs),
    );
    expect(delivered).toBe(false);
    expect(reports).toEqual([1, 2, null]);
  });

  it('close() cuts a long backoff short and waits for queued tasks', async () => {
    const queue = new OrderedDelivery();
    let attempts = 0;
    const retrying = queue.run('chat', () =>
      queue.retry(
        async () => {
          attempts += 1;
          throw new Error('down');
        },
        { attempts: 10, initialDelayMs: 60_000, maxDelayMs: 60_000 },
        () => {},
      ),
    );
    let ranAfter = false;
    const after = queue.run('chat', async () => {
      ranAfter = true;
    });
    await pause(5);
    const started = Date.now();
    await queue.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(retrying).resolves.toBe(false);
    await after;
    expect(ranAfter).toBe(true);
    expect(attempts).toBe(2);
    await queue.close();
  });
});
