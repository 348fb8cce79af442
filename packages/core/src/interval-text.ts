const UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
] as const;

/**
 * An interval as people say it: `every hour`, `every 2 hours`, `every 90 minutes`,
 * `every 30 seconds` — the largest unit that divides it, milliseconds only when none does.
 */
export function intervalText(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size;
      return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
    }
  }
  return `every ${ms} ms`;
}
