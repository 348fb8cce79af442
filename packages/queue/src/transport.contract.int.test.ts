/**
 * What GridBot needs of a queue transport, checked on each: the Redis one and the Postgres
 * one (BullMQ's PostgreSQL backend with LISTEN/NOTIFY). A transport that passes carries the
 * pipeline; where a backend differs, the difference shows here first.
 */
import { DelayedError, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  createTestTransport,
  TRANSPORT_KINDS,
  useTestTransport,
} from '../../../tests/support/test-transport.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { CONSUMER_SETTINGS } from './jobs.ts';
import { outboundJobId, outboundQueueName, THREADS_QUEUE } from './names.ts';
import { ThreadEventHub } from './thread-events.ts';

describe.each(TRANSPORT_KINDS)('the %s transport', (kind) => {
  const on = useTestTransport(kind);

  it('coalesces drain requests: many for one thread leave one waiting job', async () => {
    for (let i = 0; i < 10; i++) await on.queues.enqueueDrain(7);
    await on.queues.enqueueDrain(8);
    const counts = await on.queues
      .queue(THREADS_QUEUE)
      .getJobCounts('waiting', 'active', 'delayed');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('keeps one waiting drain behind an active one, and names the worker running it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: number[] = [];
    const worker = on.tt.transport.createWorker(
      'coalesce-test',
      async (job) => {
        ran.push(job.data.n);
        if (job.data.n === 1) await held;
      },
      { name: 'worker-seen', ...CONSUMER_SETTINGS },
    );
    const queue = on.queues.queue('coalesce-test');
    const add = (n: number) =>
      queue.add('drain', { n }, { deduplication: { id: 'thr-1', keepLastIfActive: true } });
    await add(1);
    await waitFor('the first job active', async () => (await queue.getActiveCount()) === 1);
    const [active] = await queue.getJobs(['active']);
    expect(active!.processedBy).toBe('worker-seen');
    await add(2);
    await add(3);
    release();
    // The last request while the first was active runs once after it: 1, then 3.
    await waitFor('the follow-up run', () => ran.length === 2);
    expect(ran).toEqual([1, 3]);
    await worker.close();
  });

  it('requeues an unsent delivery even while a failed job of the same row is retained', async () => {
    const queue = on.queues.queue(outboundQueueName('telegram'));
    await on.queues.enqueueOutbound('telegram', 501, 1);
    const worker = on.tt.transport.createWorker(
      outboundQueueName('telegram'),
      async () => {
        throw new UnrecoverableError('platform down');
      },
      {},
    );
    await new Promise((resolve) => worker.once('failed', resolve));
    await worker.close();
    expect(await (await queue.getJob(outboundJobId(501)))!.getState()).toBe('failed');
    // A plain add is a no-op while that failed job is retained ...
    await on.queues.enqueueOutbound('telegram', 501, 1);
    expect(await (await queue.getJob(outboundJobId(501)))!.getState()).toBe('failed');
    // ... the sweeper's requeue replaces it.
    await on.queues.requeueOutbound('telegram', 501, 1);
    expect(await (await queue.getJob(outboundJobId(501)))!.getState()).toBe('waiting');
    // A job still waiting is left alone (no second copy).
    await on.queues.requeueOutbound('telegram', 501, 1);
    expect(await queue.getJobCounts('waiting', 'failed')).toEqual({ waiting: 1, failed: 0 });
  });

  it('retries with backoff, delays a job on request, and hands a dead worker’s job to another', async () => {
    const queue = on.queues.queue('retry-test');
    const attempts: string[] = [];
    const first = on.tt.transport.createWorker(
      'retry-test',
      async (job, token) => {
        attempts.push(`${job.name}#${job.attemptsMade}`);
        if (job.name === 'flaky' && job.attemptsMade === 0) throw new Error('once');
        if (job.name === 'later' && !job.data.delayed) {
          await job.updateData({ delayed: true });
          await job.moveToDelayed(Date.now() + 200, token);
          throw new DelayedError();
        }
        if (job.name === 'stuck') await new Promise(() => {});
      },
      { ...CONSUMER_SETTINGS, lockDuration: 1_000, stalledInterval: 500 },
    );
    await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'exponential', delay: 100 } });
    await queue.add('later', {});
    await waitFor('the retry and the delayed run', () => attempts.length === 4);
    expect(attempts.sort()).toEqual(['flaky#0', 'flaky#1', 'later#0', 'later#0']);

    await queue.add('stuck', {});
    await waitFor('the stuck job taken', () => attempts.includes('stuck#0'));
    await first.close(true);
    const rescued: string[] = [];
    const second = on.tt.transport.createWorker(
      'retry-test',
      async (job) => {
        rescued.push(job.name);
      },
      { ...CONSUMER_SETTINGS, lockDuration: 1_000, stalledInterval: 500 },
    );
    await waitFor('the stalled job run again', () => rescued.includes('stuck'), 15_000);
    await second.close();
  });

  it('publishes to subscribers of a channel only, whole even past NOTIFY’s 8000 bytes', async () => {
    const other = await createTestTransport(kind, on.t);
    try {
      const got: string[] = [];
      const unsubscribe = await other.transport.pubsub.subscribe('gb-test:a', (m) => got.push(m));
      const elsewhere: string[] = [];
      await other.transport.pubsub.subscribe('gb-test:b', (m) => elsewhere.push(m));
      const long = `${'é'.repeat(9_000)}😀${'x'.repeat(5_000)}`;
      await on.tt.transport.pubsub.publish('gb-test:a', 'hello');
      await on.tt.transport.pubsub.publish('gb-test:a', long);
      await waitFor('both messages', () => got.length === 2);
      expect(got[0]).toBe('hello');
      expect(got[1]).toBe(long);
      expect(elsewhere).toEqual([]);
      await unsubscribe();
      await on.tt.transport.pubsub.publish('gb-test:a', 'after');
      await on.tt.transport.pubsub.publish('gb-test:b', 'marker');
      await waitFor('the marker', () => elsewhere.length === 1);
      expect(got).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('carries a thread event to the hub of the worker running the thread', async () => {
    const hub = new ThreadEventHub(on.tt.transport.pubsub, on.tt.prefix);
    const events: unknown[] = [];
    const unsubscribe = await hub.subscribe(41, (event) => events.push(event));
    await on.queues.publishThreadEvent(41, { type: 'stop', by: 'Ann' });
    await on.queues.publishThreadEvent(42, { type: 'stop', by: 'Bob' });
    await waitFor('the stop event', () => events.length === 1);
    expect(events).toEqual([{ type: 'stop', by: 'Ann' }]);
    await unsubscribe();
  });

  it('lists the queues that have been used', async () => {
    const names = await on.tt.transport.queueNames();
    expect(names).toEqual(expect.arrayContaining([THREADS_QUEUE, outboundQueueName('telegram')]));
  });
});
