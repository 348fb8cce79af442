import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * A timestamp as operators read it: `2026-11-22 14:05:09 UTC` in a `<time>` element, which
 * the page script shows in the browser's zone (the page says which).
 */
export function when(value: Date | string | null | undefined): HtmlEscapedString | string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  const utc = `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${utc}</time>` as HtmlEscapedString;
}

/** A long text cut for a table cell. */
export function excerpt(text: string, max = 140): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
