import type { PipelineQueues } from '@gridbot/queue';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ParkedDeliveries } from './parked-deliveries.ts';

/** The producer side of the queues, with Redis switched off and on. */
function queues() {
  const enqueued: number[] = [];
  const state = { down: true };
  const fake = {
    enqueueOutbound: async (_channel: string, outboxId: number) => {
      if (state.down) throw new Error('Connection is closed.');
      enqueued.push(outboxId);
    },
  } as unknown as PipelineQueues;
  return { fake, enqueued, state };
}

describe('ParkedDeliveries', () => {
  it('keeps deliveries Redis refused and enqueues them, in order, once it is back', async () => {
    const q = queues();
    const parked = new ParkedDeliveries(q.fake, pino({ level: 'silent' }), { retryMs: 10 });
    await parked.enqueue('telegram', 1, 9);
    await parked.enqueue('telegram', 2, 9);
    expect(parked.size).toBe(2);
    q.state.down = false;
    await expect.poll(() => q.enqueued, { timeout: 1_000 }).toEqual([1, 2]);
    expect(parked.size).toBe(0);
    await parked.enqueue('telegram', 3, 9);
    expect(q.enqueued).toEqual([1, 2, 3]);
    parked.stop();
  });

  it('keeps at most max rows; the rest are left to the sweeper', async () => {
    const q = queues();
    const parked = new ParkedDeliveries(q.fake, pino({ level: 'silent' }), {
      retryMs: 10_000,
      max: 2,
    });
    for (const id of [1, 2, 3]) await parked.enqueue('telegram', id, 9);
    expect(parked.size).toBe(2);
    parked.stop();
  });
});
