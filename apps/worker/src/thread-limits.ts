import type { BehaviourConfig } from '@gridbot/core';
import type { SandboxLimits } from '@gridbot/runner';

/** The operator's ceiling for every agent: the sandbox limits and the wall-clock timeout. */
export interface OperatorLimits extends SandboxLimits {
  timeoutMs: number;
}

const narrower = (ceiling: number, wanted: number | undefined) =>
  wanted === undefined ? ceiling : Math.min(ceiling, wanted);

/**
 * A thread's effective limits: what its config asks for, never above what the operator
 * allows (a thread can only tighten its sandbox).
 */
export function threadLimits(
  operator: OperatorLimits,
  sandbox: BehaviourConfig['sandbox'],
): OperatorLimits {
  return {
    ...operator,
    memoryBytes: narrower(
      operator.memoryBytes,
      sandbox.memory_mb && sandbox.memory_mb * 1024 * 1024,
    ),
    cpus: narrower(operator.cpus, sandbox.cpus),
    pids: narrower(operator.pids, sandbox.pids),
    timeoutMs: narrower(operator.timeoutMs, sandbox.timeout_ms),
  };
}
