import { InvalidScheduleError } from './schedule.ts';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;

/**
 * A length of time as people write it: `1h`, `90m`, `1h30m`, `2 hours`, `every 15 minutes`,
 * `1.5h`; in milliseconds. A bare number has no unit and is refused, since "60" could mean
 * seconds as well as minutes. Throws {@link InvalidScheduleError} saying what is expected.
 */
export function parseDuration(text: string): number {
  const input = text
    .trim()
    .toLowerCase()
    .replace(/^every\s+/, '');
  const expected = `Expected a length of time such as 30s, 15m, 1h, 1h30m or "2 hours", not ${JSON.stringify(text)}.`;
  if (input === '') throw new InvalidScheduleError(expected);
  if (/^\d+$/.test(input)) {
    throw new InvalidScheduleError(`${JSON.stringify(text)} has no unit. ${expected}`);
  }
  // A leading unit alone ("hour", "every day") means one of it.
  const spelled = /^[a-z]+$/.test(input) ? `1 ${input}` : input;
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  for (;;) {
    while (spelled[at] === ' ' || spelled[at] === ',') at++;
    if (at >= spelled.length) break;
    PART.lastIndex = at;
    const match = PART.exec(spelled);
    const size = match ? UNIT_MS[match[2]!] : undefined;
    if (!match || size === undefined) throw new InvalidScheduleError(expected);
    total += Number(match[1]) * size;
    at = PART.lastIndex;
  }
  if (!Number.isInteger(total)) throw new InvalidScheduleError(expected);
  return total;
}
