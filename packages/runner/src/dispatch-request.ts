import { type AgentMethod, RpcErrorCode } from '@gridbot/core';
import type { Logger } from 'pino';
import { rpcCodeOf } from './rpc-method-error.ts';
import { isAgentMethod, validateAgentParams } from './validate-agent-params.ts';

/** What the host answers to one agent request (other than `run.finish`). */
export type DispatchOutcome =
  | { ok: true; result: unknown }
  | { ok: false; code: number; message: string };

export interface DispatchInput {
  method: string;
  params: unknown;
  handlers: Partial<
    Record<Exclude<AgentMethod, 'run.finish'>, (params: unknown) => Promise<unknown>>
  >;
  /** Takes one `chat.send` from the run's allowance; false when it is spent. */
  takeChatSend: () => boolean;
  chatSendLimit: { max: number; windowMs: number };
  log: Logger;
}

/**
 * Serves one request: unknown methods, methods this host does not offer, invalid params and
 * a `chat.send` flood are refused with their JSON-RPC code; a handler's `RpcMethodError`
 * keeps its code and message; any other failure is hidden behind a generic message (and
 * logged), so nothing of the host leaks to the agent.
 */
export async function dispatchRequest(input: DispatchInput): Promise<DispatchOutcome> {
  const { method, log } = input;
  if (!isAgentMethod(method) || method === 'run.finish') {
    return { ok: false, code: RpcErrorCode.MethodNotFound, message: `Method not found: ${method}` };
  }
  const handler = input.handlers[method];
  if (!handler) {
    return {
      ok: false,
      code: RpcErrorCode.NotAvailable,
      message: `${method} is not available in this version`,
    };
  }
  const validation = validateAgentParams(method, input.params);
  if (!validation.ok)
    return { ok: false, code: RpcErrorCode.InvalidParams, message: validation.message };
  if (method === 'chat.send' && !input.takeChatSend()) {
    const { max, windowMs } = input.chatSendLimit;
    return {
      ok: false,
      code: RpcErrorCode.RateLimited,
      message: `chat.send is limited to ${max} messages per ${windowMs / 1000} s; send fewer, longer messages`,
    };
  }
  try {
    return { ok: true, result: await handler(validation.params) };
  } catch (error) {
    const code = rpcCodeOf(error);
    if (code !== null) {
      const text = error instanceof Error ? error.message : String(error);
      log.info({ method, code, message: text }, 'agent request refused');
      return { ok: false, code, message: text };
    }
    log.error({ err: error, method }, 'agent request handler failed');
    return { ok: false, code: RpcErrorCode.InternalError, message: `${method} failed on the host` };
  }
}
