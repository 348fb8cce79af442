import {
  JsonRpcErrorCode,
  type RpcError,
  type RpcId,
  rpcNotificationSchema,
  rpcRequestSchema,
  rpcResponseSchema,
} from './json-rpc-message.ts';

/** One received line, classified. `invalid` carries the error response it deserves. */
export type JsonRpcLine =
  | { kind: 'request'; id: RpcId; method: string; params: unknown }
  | { kind: 'notification'; method: string; params: unknown }
  | { kind: 'result'; id: RpcId; result: unknown }
  | { kind: 'error'; id: RpcId | null; error: RpcError }
  | { kind: 'invalid'; id: RpcId | null; code: number; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id of a broken message when it has a usable one, so the sender can fail that call. */
function salvageId(value: Record<string, unknown>): RpcId | null {
  const { id } = value;
  if (typeof id === 'number' && Number.isInteger(id)) return id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 128) return id;
  return null;
}

/**
 * Parses and classifies one JSON-RPC 2.0 line (pure; the caller decides what to do with
 * it). Batches are not supported: an array is an invalid request.
 */
export function parseJsonRpcLine(line: string): JsonRpcLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {
      kind: 'invalid',
      id: null,
      code: JsonRpcErrorCode.ParseError,
      message: 'Parse error: each line must be one JSON object',
    };
  }
  if (!isRecord(value)) {
    return {
      kind: 'invalid',
      id: null,
      code: JsonRpcErrorCode.InvalidRequest,
      message: 'Invalid request: expected a JSON-RPC 2.0 object (batches are not supported)',
    };
  }
  const invalid = (what: string): JsonRpcLine => ({
    kind: 'invalid',
    id: salvageId(value),
    code: JsonRpcErrorCode.InvalidRequest,
    message: `Invalid request: not a valid JSON-RPC 2.0 ${what}`,
  });
  if ('method' in value) {
    if ('id' in value) {
      const parsed = rpcRequestSchema.safeParse(value);
      if (!parsed.success) return invalid('request');
      const { id, method, params } = parsed.data;
      return { kind: 'request', id, method, params };
    }
    const parsed = rpcNotificationSchema.safeParse(value);
    return parsed.success
      ? { kind: 'notification', method: parsed.data.method, params: parsed.data.params }
      : invalid('notification');
  }
  if ('result' in value || 'error' in value) {
    const parsed = rpcResponseSchema.safeParse(value);
    if (!parsed.success) return invalid('response');
    const response = parsed.data;
    if ('error' in response) return { kind: 'error', id: response.id, error: response.error };
    return { kind: 'result', id: response.id, result: response.result };
  }
  return invalid('message (no method, result or error)');
}
