/** A timestamp as operators read it: `2026-11-22 14:05:09 UTC`. */
export function when(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A long text cut for a table cell. */
export function excerpt(text: string, max = 140): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
