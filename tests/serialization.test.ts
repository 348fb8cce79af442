import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const busy: ChatSpec = {
  chatId: -200000,
  type: 'supergroup',
  title: 'Busy',
  userId: 700,
  firstName: 'Alice',
};
const others: ChatSpec[] = Array.from({ length: 20 }, (_, i) => ({
  chatId: -200001 - i,
  type: 'group' as const,
  title: `Other ${i}`,
  userId: 800 + i,
  firstName: `User${i}`,
}));

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  for (const chat of [busy, ...others])
    await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  // One person sends 20 messages at once here; this suite is about ordering, not the rate
  // limit (tests/security/rate-limit.test.ts), so every message starts a run.
  await h.start(['gateway', '--channel', 'telegram'], { USER_TRIGGERS_PER_MINUTE: '0' });
  await h.start(['worker'], { WORKER_CONCURRENCY: '4' });
  await h.start(['worker'], { WORKER_CONCURRENCY: '4' });
});

afterAll(async () => {
  await h?.close();
});

/** Every `[Name] text` line quoted in a thread's replies, in reply order. */
function quoted(chatId: number): string[] {
  return h.telegram
    .botMessages(chatId)
    .flatMap((m) => withoutTimes(m.text).split('\n'))
    .map((line) => line.replace(/^Echo: /, ''))
    .filter((line) => line.startsWith('['));
}

describe('per-thread serialization with 2 workers at concurrency 4', () => {
  it('answers every message, in order, never overlapping runs of one thread, while threads run in parallel', async () => {
    const busyTexts = Array.from({ length: 20 }, (_, i) => `@Andy busy ${i}`);
    const otherTexts = (i: number) => [
      `@Andy other ${i} a`,
      `@Andy other ${i} b`,
      `@Andy other ${i} c`,
    ];
    await Promise.all([
      (async () => {
        for (const text of busyTexts) await h.telegram.say(busy, text);
      })(),
      ...others.map(async (chat, i) => {
        for (const text of otherTexts(i)) await h.telegram.say(chat, text);
      }),
    ]);

    await waitFor(
      'every message quoted in a reply',
      () =>
        quoted(busy.chatId).length >= busyTexts.length &&
        others.every((chat, i) => quoted(chat.chatId).length >= otherTexts(i).length),
      60_000,
      200,
    );

    expect(quoted(busy.chatId)).toEqual(busyTexts.map((t) => `[Alice] ${t}`));
    others.forEach((chat, i) => {
      expect(quoted(chat.chatId)).toEqual(otherTexts(i).map((t) => `[User${i}] ${t}`));
    });

    const runs = await h.db.db
      .selectFrom('agent_runs')
      .innerJoin('threads', 'threads.id', 'agent_runs.thread_id')
      .select([
        'threads.jid',
        'agent_runs.status',
        'agent_runs.started_at',
        'agent_runs.finished_at',
        'agent_runs.worker',
      ])
      .orderBy('agent_runs.started_at')
      .execute();
    expect(runs.every((r) => r.status === 'succeeded' && r.finished_at !== null)).toBe(true);

    const byThread = Map.groupBy(runs, (r) => r.jid);
    for (const [jid, threadRuns] of byThread) {
      for (let i = 1; i < threadRuns.length; i++) {
        const previous = threadRuns[i - 1]!;
        const current = threadRuns[i]!;
        expect(
          current.started_at.getTime(),
          `${jid} run ${i} overlaps the one before`,
        ).toBeGreaterThanOrEqual(previous.finished_at!.getTime());
      }
    }

    const overlapsAcrossThreads = runs.some((a, i) =>
      runs.slice(i + 1).some((b) => a.jid !== b.jid && b.started_at < a.finished_at!),
    );
    expect(overlapsAcrossThreads).toBe(true);
    expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
  });
});
