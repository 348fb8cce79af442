import { z } from 'zod';
import { behaviourConfigSchema } from './behaviour-config.ts';
import { JsonRpcErrorCode } from './json-rpc/json-rpc-message.ts';

/** Version of the agent protocol spoken by this code; sent in `initialize`. */
export const PROTOCOL_VERSION = 1;

/** JSON-RPC's own error codes and the agent protocol's. */
export const RpcErrorCode = {
  ...JsonRpcErrorCode,
  RateLimited: -32001,
  Forbidden: -32002,
  NotAvailable: -32003,
} as const;

/** A message of the conversation as the agent sees it. */
export const agentMessageSchema = z.object({
  id: z.number().int(),
  role: z.enum(['user', 'assistant']),
  senderName: z.string(),
  text: z.string(),
  sentAt: z.string(),
});
export type AgentMessage = z.infer<typeof agentMessageSchema>;

/** worker → agent: everything the agent needs for one run. */
export const initializeParamsSchema = z.object({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  assistantName: z.string(),
  run: z.object({ id: z.number().int(), trigger: z.enum(['message', 'task', 'manual']) }),
  thread: z.object({
    id: z.number().int(),
    jid: z.string(),
    title: z.string().nullable(),
    isGroup: z.boolean(),
    isMain: z.boolean(),
  }),
  config: behaviourConfigSchema,
  newMessages: z.array(agentMessageSchema),
  history: z.array(agentMessageSchema),
  memory: z.object({ thread: z.array(z.string()), global: z.array(z.string()) }),
  /** Outcomes of this thread's approval requests that no run has received yet. */
  approvals: z
    .array(
      z.object({
        id: z.number().int(),
        tool: z.string(),
        summary: z.string(),
        status: z.enum(['approved', 'rejected', 'superseded', 'expired']),
        resolvedBy: z.string().nullable(),
      }),
    )
    .default([]),
  now: z.string(),
});
export type InitializeParams = z.infer<typeof initializeParamsSchema>;

export const llmMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  toolCallId: z.string().optional(),
  toolCalls: z
    .array(
      z.object({ id: z.string(), name: z.string(), arguments: z.record(z.string(), z.unknown()) }),
    )
    .optional(),
});
export type LlmMessage = z.infer<typeof llmMessageSchema>;

export const llmToolSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
});
export type LlmTool = z.infer<typeof llmToolSchema>;

/** agent → worker: one model call; the worker holds the key. */
export const llmCompleteParamsSchema = z.object({
  messages: z.array(llmMessageSchema).min(1),
  tools: z.array(llmToolSchema).default([]),
});
export type LlmCompleteParams = z.infer<typeof llmCompleteParamsSchema>;

export const llmCompleteResultSchema = z.object({
  content: z.string(),
  toolCalls: z.array(
    z.object({ id: z.string(), name: z.string(), arguments: z.record(z.string(), z.unknown()) }),
  ),
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }),
  model: z.string(),
  stopReason: z.string(),
});
export type LlmCompleteResult = z.infer<typeof llmCompleteResultSchema>;

/** agent → worker: send a message to the thread now (progress, partial results). */
export const chatSendParamsSchema = z.object({
  text: z
    .string()
    .min(1)
    .max(64 * 1024),
});
export type ChatSendParams = z.infer<typeof chatSendParamsSchema>;

/** agent → worker: the run is over; `reply` (if any) is sent to the thread. */
export const runFinishParamsSchema = z.object({
  reply: z
    .string()
    .max(256 * 1024)
    .nullable(),
  status: z.enum(['ok', 'error']).default('ok'),
  error: z.string().max(4096).optional(),
  /**
   * Highest message id among the `input` notifications the reply took into account; those
   * messages count as answered. Absent: none of them did.
   */
  lastInputId: z.number().int().nullable().optional(),
});
export type RunFinishParams = z.infer<typeof runFinishParamsSchema>;

/** worker → agent notification: a follow-up message arrived during the run. */
export const inputParamsSchema = z.object({ message: agentMessageSchema });
export type InputParams = z.infer<typeof inputParamsSchema>;

/** Every method an agent may call on the worker. */
export const AGENT_METHODS = [
  'llm.complete',
  'chat.send',
  'task.schedule',
  'task.list',
  'task.update',
  'task.pause',
  'task.resume',
  'task.cancel',
  'memory.read',
  'memory.write',
  'approval.request',
  'artifact.save',
  'run.finish',
] as const;
export type AgentMethod = (typeof AGENT_METHODS)[number];
