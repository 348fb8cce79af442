import { describe, expect, it } from 'vitest';
import {
  InvalidScheduleError,
  nextRun,
  nextRuns,
  scheduleFromColumns,
  scheduleToColumns,
  shortestGapMs,
} from './schedule.ts';

describe('nextRun', () => {
  const after = new Date('2026-03-01T10:00:00Z');

  it('follows a cron expression in the given time zone', () => {
    // 09:00 in Berlin (UTC+1 in March before DST) is 08:00 UTC: the next one is the following day.
    expect(
      nextRun({ kind: 'cron', expression: '0 9 * * *' }, 'Europe/Berlin', after)?.toISOString(),
    ).toBe('2026-03-02T08:00:00.000Z');
    expect(
      nextRun({ kind: 'cron', expression: '*/2 * * * * *' }, 'Asia/Tokyo', after)?.toISOString(),
    ).toBe('2026-03-01T10:00:02.000Z');
  });

  it('adds an interval, and fires a once-schedule only in the future', () => {
    expect(nextRun({ kind: 'interval', everyMs: 60_000 }, 'UTC', after)?.toISOString()).toBe(
      '2026-03-01T10:01:00.000Z',
    );
    expect(nextRun({ kind: 'once', at: '2026-03-01T12:00:00Z' }, 'UTC', after)?.toISOString()).toBe(
      '2026-03-01T12:00:00.000Z',
    );
    expect(nextRun({ kind: 'once', at: '2026-02-01T12:00:00Z' }, 'UTC', after)).toBeNull();
  });

  it.each([
    [{ kind: 'cron' as const, expression: 'every day' }, 'UTC', /Invalid cron expression/],
    [{ kind: 'cron' as const, expression: '* *' }, 'UTC', /it has 2 field\(s\)/],
    [{ kind: 'cron' as const, expression: '0 0 0 * * * *' }, 'UTC', /it has 7 field\(s\)/],
    [{ kind: 'cron' as const, expression: '* * * * *' }, 'Mars/Olympus', /Unknown time zone/],
    [{ kind: 'interval' as const, everyMs: 10 }, 'UTC', /at least 1000/],
    [{ kind: 'once' as const, at: 'tomorrow' }, 'UTC', /ISO 8601/],
  ])('rejects %j in %s', (schedule, zone, message) => {
    expect(() => nextRun(schedule, zone, after)).toThrow(InvalidScheduleError);
    expect(() => nextRun(schedule, zone, after)).toThrow(message);
  });

  it('round-trips through its stored columns', () => {
    for (const schedule of [
      { kind: 'cron' as const, expression: '0 9 * * 1' },
      { kind: 'interval' as const, everyMs: 5_000 },
      { kind: 'once' as const, at: '2026-03-01T12:00:00.000Z' },
    ]) {
      const { kind, value } = scheduleToColumns(schedule);
      expect(scheduleFromColumns(kind, value)).toEqual(schedule);
    }
  });
});

describe('nextRuns', () => {
  const after = new Date('2026-03-27T10:00:30Z');

  it('lists a cron’s next firings in its zone, across a change of clocks', () => {
    const runs = nextRuns({ kind: 'cron', expression: '0 9 * * *' }, 'Europe/Berlin', 5, after);
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
      '2026-03-31T07:00:00.000Z',
      '2026-04-01T07:00:00.000Z',
    ]);
  });

  it('steps an interval and gives a once-schedule one firing, or none once past', () => {
    const every = nextRuns({ kind: 'interval', everyMs: 3_600_000 }, 'UTC', 3, after);
    expect(every.map((d) => d.getTime() - after.getTime())).toEqual([
      3_600_000, 7_200_000, 10_800_000,
    ]);
    expect(nextRuns({ kind: 'once', at: '2026-04-01T00:00:00Z' }, 'UTC', 5, after)).toHaveLength(1);
    expect(nextRuns({ kind: 'once', at: '2026-03-01T00:00:00Z' }, 'UTC', 5, after)).toEqual([]);
  });
});

describe('shortestGapMs', () => {
  const after = new Date('2026-03-01T10:00:30Z');

  it('is the length of an interval and nothing for a once-schedule', () => {
    expect(shortestGapMs({ kind: 'interval', everyMs: 90_000 }, 'UTC', after)).toBe(90_000);
    expect(shortestGapMs({ kind: 'once', at: '2026-03-02T00:00:00Z' }, 'UTC', after)).toBeNull();
  });

  it('sees seconds-level crons, also those whose seconds fire in a burst', () => {
    const gap = (expression: string) => shortestGapMs({ kind: 'cron', expression }, 'UTC', after);
    expect(gap('*/1 * * * * *')).toBe(1_000);
    expect(gap('0,30 * * * * *')).toBe(30_000);
    expect(gap('0-2 0 * * * *')).toBe(1_000);
    expect(gap('0 * * * * *')).toBe(60_000);
    expect(gap('*/5 * * * *')).toBe(300_000);
    expect(gap('0 9 * * 1-5')).toBe(24 * 3_600_000);
  });
});
