import { type AgentMethod, policyNamesFor, RpcErrorCode } from '@gridbot/core';
import { type AgentRequestHandlers, RpcMethodError } from '@gridbot/runner';
import type { RunState } from './run-state.ts';

/**
 * The thread's tool policy, enforced by the worker: a request whose tool (or method) is in
 * `tools_requiring_approval` is refused unless a human approved that tool for this run.
 * The agent program checks the same rule, but it runs in the untrusted container.
 */
export function enforcingToolPolicy(
  state: Pick<RunState, 'config' | 'decisions'>,
  handlers: AgentRequestHandlers,
): AgentRequestHandlers {
  const gated = new Set(state.config.tools_requiring_approval);
  if (gated.size === 0) return handlers;
  const approved = new Set(
    state.decisions
      .filter((d) => d.status === 'approved')
      .map((d) => String(d.proposal.tool ?? '')),
  );
  return Object.fromEntries(
    Object.entries(handlers).map(([method, handle]) => {
      if (method === 'approval.request') return [method, handle];
      const names = policyNamesFor(method as AgentMethod).filter((name) => gated.has(name));
      if (names.length === 0) return [method, handle];
      return [
        method,
        async (params: unknown) => {
          if (!names.some((name) => approved.has(name))) {
            throw new RpcMethodError(
              RpcErrorCode.Forbidden,
              `In this chat "${names[0]}" needs a human's approval first. Call request_approval with tool "${names[0]}" and a summary of exactly what you will do.`,
            );
          }
          return handle!(params);
        },
      ];
    }),
  );
}
