/** The faults the suite injects, in the order one cycle of the plan takes them. */
export const FAULT_KINDS = [
  'kill-worker',
  'llm-delay',
  'kill-gateway',
  'redis-restart',
  'postgres-restart',
  'kill-worker',
  'platform-drop',
  'kill-scheduler',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  /** Ms after the load started. */
  atMs: number;
}

/**
 * One fault every `spacingMs` from `firstMs`, cycling through {@link FAULT_KINDS}, the last
 * at least `quietTailMs` before the load ends so its effects are over before counting.
 */
export function planFaults(
  loadMs: number,
  options: {
    firstMs?: number;
    spacingMs?: number;
    quietTailMs?: number;
    /** The faults to cycle through (a mode without Redis has no Redis to kill). */
    kinds?: readonly FaultKind[];
  } = {},
): PlannedFault[] {
  const kinds = options.kinds ?? FAULT_KINDS;
  const first = options.firstMs ?? 8_000;
  const spacing = options.spacingMs ?? 11_000;
  const tail = options.quietTailMs ?? 12_000;
  const plan: PlannedFault[] = [];
  for (let at = first, i = 0; at <= loadMs - tail; at += spacing, i++) {
    plan.push({ kind: kinds[i % kinds.length]!, atMs: at });
  }
  return plan;
}
