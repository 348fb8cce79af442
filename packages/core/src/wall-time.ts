import { DateTime } from 'luxon';
import { InvalidScheduleError, isValidTimeZone } from './schedule.ts';

/**
 * The instant a clock in `zone` shows `text` (`2026-12-24T09:00`, seconds optional), as a
 * date-time field of a form gives it; a text with its own offset (`…Z`, `…+01:00`) keeps
 * it. A wall time the zone skips (a spring-forward gap) moves forward by the gap; one it
 * shows twice (fall-back) is the second, after the clocks go back. Throws {@link InvalidScheduleError}.
 */
export function wallTimeToInstant(text: string, zone: string): Date {
  if (!isValidTimeZone(zone))
    throw new InvalidScheduleError(`Unknown time zone ${JSON.stringify(zone)}.`);
  const parsed = DateTime.fromISO(text.trim(), { zone });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text.trim())) {
    throw new InvalidScheduleError(
      `Invalid time ${JSON.stringify(text)}: expected a date and time such as 2026-12-24T09:00.`,
    );
  }
  return parsed.toJSDate();
}

/** What a clock in `zone` shows at `instant`: `2026-12-24 09:00` (seconds when not zero). */
export function wallTimeIn(instant: Date, zone: string): string {
  const local = DateTime.fromJSDate(instant, { zone });
  return local.toFormat(local.second === 0 ? 'yyyy-MM-dd HH:mm' : 'yyyy-MM-dd HH:mm:ss');
}
