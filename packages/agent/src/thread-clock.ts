type Parts = Record<'weekday' | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'offset', string>;

function formatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });
}

/**
 * Renders times in a thread's time zone for the model: the current time in full, message
 * times short (`10:02` on the current day, `2025-02-28 10:02` before). An unknown zone falls
 * back to UTC (`zone` says which one is used).
 */
export class ThreadClock {
  /** The IANA zone actually used. */
  readonly zone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #now: Parts | null;

  constructor(timeZone: string, now: string) {
    let format: Intl.DateTimeFormat;
    try {
      format = formatter(timeZone);
      this.zone = timeZone;
    } catch {
      format = formatter('UTC');
      this.zone = 'UTC';
    }
    this.#format = format;
    this.#now = this.#parts(now);
  }

  #parts(iso: string): Parts | null {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return null;
    const parts = Object.fromEntries(
      this.#format.formatToParts(date).map((part) => [part.type, part.value]),
    ) as Partial<Record<string, string>>;
    return {
      weekday: parts.weekday ?? '',
      year: parts.year ?? '',
      month: parts.month ?? '',
      day: parts.day ?? '',
      hour: parts.hour ?? '',
      minute: parts.minute ?? '',
      offset: parts.timeZoneName ?? '',
    };
  }

  /** The current time, e.g. `Saturday 2025-03-01 11:00 (Europe/Berlin, GMT+01:00)`. */
  current(): string {
    const p = this.#now;
    if (!p) return `unknown (${this.zone})`;
    return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (${this.zone}, ${p.offset})`;
  }

  /** A message's time: `10:02` if sent on the current day, else `2025-02-28 10:02`; '' if unreadable. */
  stamp(iso: string): string {
    const p = this.#parts(iso);
    if (!p) return '';
    const now = this.#now;
    const sameDay = now && now.year === p.year && now.month === p.month && now.day === p.day;
    return sameDay
      ? `${p.hour}:${p.minute}`
      : `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }
}
