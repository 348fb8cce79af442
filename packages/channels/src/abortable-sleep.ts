import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  // Node's timer already clears itself on abort; it rejects then, which callers do not want.
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
