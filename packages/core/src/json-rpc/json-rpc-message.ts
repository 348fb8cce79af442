import { z } from 'zod';

/** The error codes JSON-RPC 2.0 itself defines; applications add theirs (see `RpcErrorCode`). */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

export const rpcIdSchema = z.union([z.number().int(), z.string().min(1).max(128)]);
export type RpcId = z.infer<typeof rpcIdSchema>;

export const rpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: rpcIdSchema,
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
});
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

export const rpcNotificationSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
});
export type RpcNotification = z.infer<typeof rpcNotificationSchema>;

export const rpcErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type RpcError = z.infer<typeof rpcErrorSchema>;

export const rpcResponseSchema = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: rpcIdSchema, result: z.unknown() }),
  z.object({ jsonrpc: z.literal('2.0'), id: rpcIdSchema.nullable(), error: rpcErrorSchema }),
]);
export type RpcResponse = z.infer<typeof rpcResponseSchema>;
