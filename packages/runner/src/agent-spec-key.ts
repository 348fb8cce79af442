import type { AgentSpec, SandboxLimits } from './agent-runtime.ts';

/** The limits a container is created with; anything else in `limits` (a timeout) is not. */
const CONTAINER_LIMITS: readonly (keyof SandboxLimits)[] = [
  'memoryBytes',
  'cpus',
  'pids',
  'outputBytes',
  'tmpBytes',
];

/**
 * What a thread's agent was started with and cannot change while it runs: its workspace,
 * global directory, mounts and limits, as one string. Two specs with the same key get the
 * same sandbox, so a warm agent may serve the later one; the run id is left out. (The image
 * and the runtime's own options are fixed for the runtime's life, so they need no place here.)
 */
export function agentSpecKey(spec: AgentSpec): string {
  const limits: Partial<Record<keyof SandboxLimits, number>> = {};
  for (const name of CONTAINER_LIMITS) {
    const value = spec.limits?.[name];
    if (value !== undefined) limits[name] = value;
  }
  return JSON.stringify([
    spec.workspaceDir,
    spec.globalDir ?? null,
    (spec.mounts ?? []).map((m) => [m.hostPath, m.containerPath, m.readOnly]),
    limits,
  ]);
}
