import {
  InvalidScheduleError,
  isValidTimeZone,
  nextRuns,
  parseDuration,
  type Schedule,
  wallTimeIn,
  wallTimeToInstant,
} from '@gridbot/core';
import { z } from 'zod';
import { badRequest } from './params.ts';

/** Firings the preview lists. */
export const PREVIEW_RUNS = 5;

/**
 * A schedule as the task form gives it: the kind, the one field of that kind (a cron
 * expression, a length of time such as `1h`, or a date and time read in `timezone`), and
 * the zone.
 */
export const scheduleFields = {
  kind: z.enum(['cron', 'every', 'once'], { message: 'kind is cron, every or once' }),
  cron: z.string().max(200).optional(),
  every: z.string().max(100).optional(),
  at: z.string().max(100).optional(),
  timezone: z.string().max(100).optional(),
};
export const scheduleInputSchema = z.strictObject(scheduleFields);
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;

export interface CheckedSchedule {
  schedule: Schedule;
  timezone: string;
  /** The next firings, the first of which is the task's first run. */
  runs: Date[];
}

const FIELD_OF = { cron: 'cron', every: 'every', once: 'at' } as const;

/** The schedule a form describes, checked; a 400 saying what to fix otherwise. */
export function checkSchedule(input: ScheduleInput, now: Date = new Date()): CheckedSchedule {
  const timezone = input.timezone?.trim() || 'UTC';
  if (!isValidTimeZone(timezone)) {
    throw badRequest(
      `Unknown time zone ${JSON.stringify(timezone)}: use an IANA name like Europe/Berlin.`,
    );
  }
  const field = FIELD_OF[input.kind];
  const others = (['cron', 'every', 'at'] as const).filter(
    (name) => name !== field && input[name] !== undefined && input[name] !== '',
  );
  if (others.length > 0) {
    throw badRequest(`A ${input.kind} task takes ${field}, not ${others.join(' or ')}.`);
  }
  const value = input[field]?.trim() ?? '';
  if (value === '') {
    const example = { cron: '"0 9 * * 1-5"', every: '"1h"', at: '"2026-12-24T09:00"' }[field];
    throw badRequest(`A ${input.kind} task needs ${field}, e.g. ${example}.`);
  }
  try {
    const schedule: Schedule =
      input.kind === 'cron'
        ? { kind: 'cron', expression: value }
        : input.kind === 'every'
          ? { kind: 'interval', everyMs: parseDuration(value) }
          : { kind: 'once', at: wallTimeToInstant(value, timezone).toISOString() };
    const runs = nextRuns(schedule, timezone, PREVIEW_RUNS, now);
    // Only a once-schedule can have no firing left.
    if (runs.length === 0 && schedule.kind === 'once') {
      throw badRequest(
        `${value} in ${timezone} (${wallTimeIn(new Date(schedule.at), 'UTC')} UTC) has passed: pick a time to come.`,
      );
    }
    return { schedule, timezone, runs };
  } catch (error) {
    if (error instanceof InvalidScheduleError) throw badRequest(error.message);
    throw error;
  }
}
