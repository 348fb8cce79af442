import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Shutdown } from './shutdown.ts';

describe('Shutdown', () => {
  it('runs steps in reverse, survives a failing step, runs once', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown(pino({ level: 'silent' }));
    shutdown.add('db', () => void order.push('db'));
    shutdown.add('broken', () => {
      throw new Error('boom');
    });
    shutdown.add('http', async () => void order.push('http'));
    await Promise.all([shutdown.stop(1000), shutdown.stop(1000)]);
    await shutdown.stop(1000);
    expect(order).toEqual(['http', 'db']);
  });

  it('bounds a hanging step', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown(pino({ level: 'silent' }));
    shutdown.add('after', () => void order.push('after'));
    shutdown.add('hang', () => new Promise(() => {}));
    const started = Date.now();
    await shutdown.stop(200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(order).toEqual([]);
  });
});
