import { describe, expect, it } from 'vitest';
import { buildReport, countOverlaps, percentile, tokensIn } from './chaos-report.ts';
import { FAULT_KINDS, planFaults } from './fault-plan.ts';

const sent = (chatId: number, seq: number, ackAt: number) => ({
  chatId,
  seq,
  token: `tok-${-chatId}-${seq}`,
  ackAt,
});

describe('the chaos report', () => {
  it('counts lost, answered twice, identical resends and order violations per chat', () => {
    const report = buildReport({
      sent: [sent(-1, 0, 10), sent(-1, 1, 20), sent(-1, 2, 30), sent(-2, 0, 10), sent(-2, 1, 15)],
      replies: [
        { chatId: -1, text: 'ack tok-1-1', at: 40 },
        { chatId: -1, text: 'ack tok-1-0', at: 50 },
        { chatId: -1, text: 'ack tok-1-0', at: 60 },
        // A token of another chat does not count as answered here.
        { chatId: -2, text: 'ack tok-2-0 tok-1-2', at: 45 },
      ],
      runs: [],
      faults: [],
    });
    expect(report.sent).toBe(5);
    expect(report.answered).toBe(3);
    expect(report.lost).toEqual(['tok-1-2', 'tok-2-1']);
    expect(report.answeredTwice).toEqual(['tok-1-0']);
    expect(report.identicalRepliesTwice).toBe(1);
    expect(report.orderViolations).toBe(2);
  });

  it('counts a reply resent across a gateway kill apart from other duplicates', () => {
    const report = buildReport({
      sent: [sent(-1, 0, 10), sent(-1, 1, 20)],
      replies: [
        // Reached the platform 2 ms before the kill: the send could not be recorded.
        { chatId: -1, text: 'ack tok-1-0', at: 998 },
        { chatId: -1, text: 'ack tok-1-0', at: 5_000 },
        // Sent long before the kill, and again: a real duplicate.
        { chatId: -1, text: 'ack tok-1-1', at: 100 },
        { chatId: -1, text: 'ack tok-1-1', at: 6_000 },
      ],
      runs: [],
      faults: [{ kind: 'kill-gateway', at: 1_000, healedAt: 3_000 }],
    });
    expect(report.resentAcrossGatewayKill).toEqual(['tok-1-0']);
    expect(report.answeredTwice).toEqual(['tok-1-1']);
    expect(report.identicalRepliesTwice).toBe(1);
  });

  it('with the outbox record, counts a resend apart only when its first send was never recorded', () => {
    const report = buildReport({
      sent: [sent(-1, 0, 10), sent(-1, 1, 20)],
      replies: [
        // 300 ms before the kill, yet no outbox row names it: the gateway died before recording.
        { chatId: -1, text: 'ack tok-1-0', at: 700, messageId: 11 },
        { chatId: -1, text: 'ack tok-1-0', at: 5_000, messageId: 12 },
        // Just as close to the kill, but recorded: sending it again was a real duplicate.
        { chatId: -1, text: 'ack tok-1-1', at: 990, messageId: 13 },
        { chatId: -1, text: 'ack tok-1-1', at: 6_000, messageId: 14 },
      ],
      runs: [],
      faults: [{ kind: 'kill-gateway', at: 1_000, healedAt: 3_000 }],
      recordedMessageIds: new Set(['12', '13', '14']),
    });
    expect(report.resentAcrossGatewayKill).toEqual(['tok-1-0']);
    expect(report.answeredTwice).toEqual(['tok-1-1']);
    expect(report.identicalRepliesTwice).toBe(1);
  });

  it('measures recovery from the fault healing to the next answer of each affected thread', () => {
    const report = buildReport({
      sent: [sent(-1, 0, 100), sent(-2, 0, 100), sent(-3, 0, 1_500), sent(-4, 0, 5_000)],
      replies: [
        { chatId: -1, text: 'ack tok-1-0', at: 3_000 },
        // answered before the fault: not affected
        { chatId: -2, text: 'ack tok-2-0', at: 500 },
        { chatId: -3, text: 'ack tok-3-0', at: 2_500 },
        { chatId: -4, text: 'ack tok-4-0', at: 5_100 },
      ],
      runs: [],
      faults: [{ kind: 'redis-restart', at: 1_000, healedAt: 2_000 }],
    });
    expect(report.recovery[0]).toMatchObject({ affected: 2, latenciesMs: [1_000, 500] });
    expect(report.recoveryMaxMs).toBe(1_000);
  });

  it('finds successful runs of one thread that overlap, and ignores failed ones', () => {
    const at = (s: number) => new Date(s * 1000);
    expect(
      countOverlaps([
        { threadId: 1, status: 'succeeded', startedAt: at(0), finishedAt: at(5) },
        { threadId: 1, status: 'succeeded', startedAt: at(4), finishedAt: at(6) },
        { threadId: 1, status: 'failed', startedAt: at(5), finishedAt: at(9) },
        { threadId: 2, status: 'succeeded', startedAt: at(4), finishedAt: at(6) },
      ]),
    ).toBe(1);
  });

  it('reads tokens and percentiles', () => {
    expect(tokensIn('ack tok-12-3, tok-1-0 and tok-x')).toEqual(['tok-12-3', 'tok-1-0']);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    expect(percentile([], 99)).toBe(0);
  });

  it('plans every kind of fault once in a short run, spaced and ending before the tail', () => {
    const plan = planFaults(100_000);
    expect(plan.map((f) => f.kind)).toEqual([...FAULT_KINDS]);
    expect(plan.at(-1)!.atMs).toBeLessThanOrEqual(88_000);
  });
});
