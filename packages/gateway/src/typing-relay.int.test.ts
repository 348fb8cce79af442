import type { TypingIndicator } from '@gridbot/channels';
import { PipelineQueues, type RunActivity } from '@gridbot/queue';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import {
  createTestTransport,
  TRANSPORT_KINDS,
  type TransportKind,
} from '../../../tests/support/test-transport.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { TypingRelay } from './typing-relay.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

/** A typing state that records what it was asked to show, with the relay's clock. */
function recordingTyping(intervalMs: number) {
  const calls: string[] = [];
  const typing: TypingIndicator = {
    intervalMs,
    show: async (jid) => {
      calls.push(`show ${jid}`);
    },
    clear: async (jid) => {
      calls.push(`clear ${jid}`);
    },
  };
  return { typing, calls };
}

async function withRelay(
  kind: TransportKind,
  intervalMs: number,
  body: (
    heartbeat: (activity: Partial<RunActivity>, at: number) => Promise<void>,
    calls: string[],
    acknowledge: (jid: string, at: number) => void,
  ) => Promise<void>,
) {
  const { transport, prefix, close } = await createTestTransport(kind, t);
  const queues = new PipelineQueues({ transport, prefix });
  const { typing, calls } = recordingTyping(intervalMs);
  let clock = 0;
  const relay = new TypingRelay({
    channel: 'telegram',
    typing,
    queues,
    logger: pino({ level: 'silent' }),
    now: () => clock,
  });
  await relay.start();
  let received = 0;
  const seen = await queues.subscribeRunActivity('telegram', () => received++);
  try {
    await body(
      async (activity, at) => {
        clock = at;
        const before = received;
        await queues.publishRunActivity('telegram', {
          state: 'working',
          runId: 1,
          threadId: 1,
          jid: 'telegram:-1',
          until: 60_000,
          ...activity,
        });
        // The relay subscribed first, so it has the heartbeat once this listener does.
        await waitFor('the heartbeat delivered', () => received > before);
      },
      calls,
      (jid, at) => {
        clock = at;
        relay.acknowledge(jid);
      },
    );
  } finally {
    await seen();
    await relay.stop();
    await queues.close();
    await close();
  }
}

describe.each(TRANSPORT_KINDS)('TypingRelay (pub/sub on %s)', (kind) => {
  it("shows typing at the platform's pace while heartbeats come, and clears it at done", async () => {
    await withRelay(kind, 8_000, async (heartbeat, calls) => {
      await heartbeat({}, 0);
      await heartbeat({}, 4_000); // sooner than Discord's 8 s: nothing
      await heartbeat({}, 7_900); // a timer a little early still renews it
      await heartbeat({}, 12_000);
      await heartbeat({ jid: 'telegram:-2', runId: 2 }, 12_000); // another chat's run
      await heartbeat({ state: 'done' }, 13_000);
      await waitFor('the clear', () => calls.includes('clear telegram:-1'));
      expect(calls).toEqual([
        'show telegram:-1',
        'show telegram:-1',
        'show telegram:-2',
        'clear telegram:-1',
      ]);
    });
  });

  it('shows typing as soon as a message triggers a run, and renews it early rather than let it lapse', async () => {
    await withRelay(kind, 8_000, async (heartbeat, calls, acknowledge) => {
      acknowledge('telegram:-1', 0);
      await waitFor('the first sign', () => calls.length === 1);
      await heartbeat({}, 700); // the worker picked the run up: the next beat (4700) is in time
      expect(calls).toHaveLength(1);
      await heartbeat({}, 4_700); // the one after (8700) would let it lapse: renewed now
      await heartbeat({}, 8_700); // 4 s after the renewal: in time
      await heartbeat({}, 12_700); // 8 s after it: renewed at the platform's pace
      expect(calls).toEqual(['show telegram:-1', 'show telegram:-1', 'show telegram:-1']);
    });
  });

  it('shows nothing past the run’s ceiling, whatever arrives', async () => {
    await withRelay(kind, 4_000, async (heartbeat, calls) => {
      await heartbeat({ until: 10_000 }, 0);
      await heartbeat({ until: 10_000 }, 10_000);
      await heartbeat({ until: 10_000 }, 14_000);
      expect(calls).toEqual(['show telegram:-1']);
    });
  });
});
