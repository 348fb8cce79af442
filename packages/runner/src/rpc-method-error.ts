import { GridBotError } from '@gridbot/core';

/**
 * Thrown by an agent-request handler to answer the agent with a specific JSON-RPC error
 * (e.g. `RpcErrorCode.Forbidden`). The message is sent to the agent verbatim, so it must
 * hold nothing secret. Any other error a handler throws reaches the agent as a generic
 * `InternalError`.
 */
export class RpcMethodError extends GridBotError {
  /** JSON-RPC error code sent to the agent. */
  readonly rpcCode: number;
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpcMethodError';
    this.rpcCode = code;
  }
}

/** The JSON-RPC code a thrown value asks for (a numeric `rpcCode` property), or null. */
export function rpcCodeOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('rpcCode' in error)) return null;
  return typeof error.rpcCode === 'number' ? error.rpcCode : null;
}
