import { CronExpressionParser } from 'cron-parser';
import { GridBotError } from './errors.ts';

/** When a task fires: a cron expression in a time zone, a fixed interval, or once. */
export type Schedule =
  | { kind: 'cron'; expression: string }
  | { kind: 'interval'; everyMs: number }
  | { kind: 'once'; at: string };

/** The shortest interval between firings. */
export const MIN_INTERVAL_MS = 1_000;

/** A schedule that cannot fire: the message says why and what is expected. */
export class InvalidScheduleError extends GridBotError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidScheduleError';
  }
}

/** Checks that an IANA time zone name is known. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The next firing strictly after `after`, or null when a once-schedule is in the past.
 * Throws {@link InvalidScheduleError} for a malformed cron expression or time zone.
 */
export function nextRun(
  schedule: Schedule,
  timeZone: string,
  after: Date = new Date(),
): Date | null {
  if (!isValidTimeZone(timeZone))
    throw new InvalidScheduleError(`Unknown time zone ${JSON.stringify(timeZone)}.`);
  switch (schedule.kind) {
    case 'cron': {
      // cron-parser fills missing fields with defaults, so "* *" would be accepted as
      // "every second": insist on the 5 or 6 fields a user means.
      const fields = schedule.expression.trim().split(/\s+/).length;
      if (fields !== 5 && fields !== 6) {
        throw new InvalidScheduleError(
          `Invalid cron expression ${JSON.stringify(schedule.expression)}: it has ${fields} field(s). Expected 5 fields (minute hour day month weekday) or 6 with seconds first.`,
        );
      }
      try {
        return CronExpressionParser.parse(schedule.expression, { tz: timeZone, currentDate: after })
          .next()
          .toDate();
      } catch (error) {
        throw new InvalidScheduleError(
          `Invalid cron expression ${JSON.stringify(schedule.expression)}: ${(error as Error).message}. Expected 5 fields (minute hour day month weekday) or 6 with seconds first.`,
        );
      }
    }
    case 'interval':
      if (!Number.isInteger(schedule.everyMs) || schedule.everyMs < MIN_INTERVAL_MS) {
        throw new InvalidScheduleError(
          `An interval must be a whole number of milliseconds, at least ${MIN_INTERVAL_MS}.`,
        );
      }
      return new Date(after.getTime() + schedule.everyMs);
    case 'once': {
      const at = new Date(schedule.at);
      if (Number.isNaN(at.getTime())) {
        throw new InvalidScheduleError(
          `Invalid time ${JSON.stringify(schedule.at)}: expected an ISO 8601 date-time.`,
        );
      }
      return at > after ? at : null;
    }
  }
}

/**
 * The next `count` firings after `after` (fewer for a once-schedule: one, or none when it
 * has passed). Throws like {@link nextRun} for a schedule that cannot fire.
 */
export function nextRuns(
  schedule: Schedule,
  timeZone: string,
  count: number,
  after: Date = new Date(),
): Date[] {
  const runs: Date[] = [];
  let previous = after;
  while (runs.length < count) {
    const next = nextRun(schedule, timeZone, previous);
    if (next === null || (schedule.kind === 'once' && runs.length > 0)) break;
    runs.push(next);
    previous = next;
  }
  return runs;
}

/** Firings looked at to find a cron's shortest gap. */
const GAP_SAMPLE = 100;

/**
 * The shortest time between two firings: an interval's length; for a cron, the smallest gap
 * among its next {@link GAP_SAMPLE} firings after `after` (a seconds field of more than one
 * value shows up within one minute of them); null for a once-schedule. Throws like
 * {@link nextRun} for a schedule that cannot fire.
 */
export function shortestGapMs(
  schedule: Schedule,
  timeZone: string,
  after: Date = new Date(),
): number | null {
  if (schedule.kind === 'once') return null;
  let previous = nextRun(schedule, timeZone, after);
  if (schedule.kind === 'interval') return schedule.everyMs;
  if (previous === null) return null;
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < GAP_SAMPLE; i++) {
    const next = nextRun(schedule, timeZone, previous);
    if (next === null) break;
    shortest = Math.min(shortest, next.getTime() - previous.getTime());
    previous = next;
  }
  return Number.isFinite(shortest) ? shortest : null;
}

/** The schedule as stored in `scheduled_tasks` (kind and value columns). */
export function scheduleToColumns(schedule: Schedule): { kind: Schedule['kind']; value: string } {
  switch (schedule.kind) {
    case 'cron':
      return { kind: 'cron', value: schedule.expression };
    case 'interval':
      return { kind: 'interval', value: String(schedule.everyMs) };
    case 'once':
      return { kind: 'once', value: new Date(schedule.at).toISOString() };
  }
}

/** The schedule from its stored columns. */
export function scheduleFromColumns(kind: string, value: string): Schedule {
  if (kind === 'cron') return { kind, expression: value };
  if (kind === 'interval') return { kind, everyMs: Number(value) };
  return { kind: 'once', at: value };
}
