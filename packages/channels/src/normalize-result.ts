import { type InboundEvent, MAX_INBOUND_TEXT } from '@gridbot/core';

/**
 * What one platform update became. `ignored` is traffic GridBot does not handle (logged at
 * debug); `invalid` an update without the documented shape (a warning).
 */
export type NormalizeResult<E extends InboundEvent = InboundEvent> =
  | { outcome: 'event'; event: E }
  | { outcome: 'ignored'; id: string | null; reason: string }
  | { outcome: 'invalid'; id: string | null; reason: string };

export type Rec = Record<string, unknown>;

export const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value when it is a non-empty string, else null. */
export const nonEmpty = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

const TRUNCATION_MARKER = '\n[…truncated]';

/** A text cut to what ingress stores, marked where it was cut. */
export function clampInbound(text: string): string {
  if (text.length <= MAX_INBOUND_TEXT) return text;
  return text.slice(0, MAX_INBOUND_TEXT - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
}
