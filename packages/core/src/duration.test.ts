import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';
import { InvalidScheduleError } from './schedule.ts';

describe('parseDuration', () => {
  it('reads the ways people write a length of time', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1h 30m')).toBe(5_400_000);
    expect(parseDuration('2 hours')).toBe(7_200_000);
    expect(parseDuration('every 15 minutes')).toBe(900_000);
    expect(parseDuration('Every Day')).toBe(86_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('250ms')).toBe(250);
  });

  it('refuses a bare number, an unknown unit and text that is no duration', () => {
    expect(() => parseDuration('60')).toThrow(/has no unit/);
    expect(() => parseDuration('5 fortnights')).toThrow(InvalidScheduleError);
    expect(() => parseDuration('soon')).toThrow(/such as 30s, 15m/);
    expect(() => parseDuration('')).toThrow(InvalidScheduleError);
    expect(() => parseDuration('1h and 5m')).toThrow(InvalidScheduleError);
    expect(() => parseDuration('0.0001s')).toThrow(InvalidScheduleError);
  });
});
