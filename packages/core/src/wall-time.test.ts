import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from './schedule.ts';
import { wallTimeIn, wallTimeToInstant } from './wall-time.ts';

describe('wall times', () => {
  it('reads a form’s date and time in the zone chosen', () => {
    expect(wallTimeToInstant('2026-12-24T09:00', 'Europe/Berlin').toISOString()).toBe(
      '2026-12-24T08:00:00.000Z',
    );
    expect(wallTimeToInstant('2026-07-01T09:00:30', 'Europe/Berlin').toISOString()).toBe(
      '2026-07-01T07:00:30.000Z',
    );
    expect(wallTimeToInstant('2026-12-24T09:00', 'Asia/Kolkata').toISOString()).toBe(
      '2026-12-24T03:30:00.000Z',
    );
  });

  it('keeps an offset the text gives', () => {
    expect(wallTimeToInstant('2026-12-24T09:00:00Z', 'Asia/Tokyo').toISOString()).toBe(
      '2026-12-24T09:00:00.000Z',
    );
  });

  it('moves a time the zone skips forward, and takes the second of one it shows twice', () => {
    // Berlin skips 02:00–03:00 on 29 March 2026 and shows 02:00–03:00 twice on 25 October.
    expect(wallTimeToInstant('2026-03-29T02:30', 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(wallTimeToInstant('2026-10-25T02:30', 'Europe/Berlin').toISOString()).toBe(
      '2026-10-25T01:30:00.000Z',
    );
  });

  it('refuses an unknown zone and a text that is no date and time', () => {
    expect(() => wallTimeToInstant('2026-12-24T09:00', 'Mars/Olympus')).toThrow(
      /Unknown time zone "Mars\/Olympus"/,
    );
    expect(() => wallTimeToInstant('tomorrow at nine', 'UTC')).toThrow(InvalidScheduleError);
    expect(() => wallTimeToInstant('2026-12-24', 'UTC')).toThrow(/such as 2026-12-24T09:00/);
    expect(() => wallTimeToInstant('2026-02-30T09:00', 'UTC')).toThrow(InvalidScheduleError);
  });

  it('says what a clock in a zone shows', () => {
    const instant = new Date('2026-12-24T08:00:00Z');
    expect(wallTimeIn(instant, 'Europe/Berlin')).toBe('2026-12-24 09:00');
    expect(wallTimeIn(new Date('2026-12-24T08:00:05Z'), 'UTC')).toBe('2026-12-24 08:00:05');
  });
});
