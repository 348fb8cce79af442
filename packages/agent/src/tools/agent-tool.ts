import type { AgentMethod, LlmTool } from '@gridbot/core';

/** What a tool may use: the workspace and the worker. */
export interface ToolContext {
  /** Real absolute path of the thread's workspace (the agent's cwd at start). */
  readonly workspace: string;
  /** Calls a worker method; rejects with a `JsonRpcError` when the worker refuses. */
  readonly call: (method: AgentMethod, params: unknown) => Promise<unknown>;
  /** Aborted when the agent program ends: long-running tools stop. */
  readonly signal: AbortSignal;
}

/** A tool's answer to the model. */
export interface ToolResult {
  /** The text the model receives as the tool message. */
  readonly text: string;
  /** Set when the run must end right after this tool (an approval was requested). */
  readonly endRun?: { readonly approvalId: number | null };
}

/** One tool the model can call: its schema for the model and how to run it. */
export interface AgentTool {
  readonly definition: LlmTool;
  /** Runs the tool; throws (any error) for a failure the model should read as `Error: …`. */
  run(args: Record<string, unknown>, context: ToolContext): Promise<ToolResult>;
}

/** The model called a tool with arguments that do not fit its schema. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}

/** A required string argument. */
export function stringArg(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ToolInputError(`"${name}" is required and must be a non-empty string.`);
  }
  return value;
}

/** An optional string argument (absent or null → undefined). */
export function optionalStringArg(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ToolInputError(`"${name}" must be a string.`);
  return value;
}

/** An optional number argument; numeric strings (a common model slip) are accepted. */
export function optionalNumberArg(args: Record<string, unknown>, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new ToolInputError(`"${name}" must be a number.`);
  }
  return number;
}

/** A required positive integer id, e.g. `task_id`. */
export function idArg(args: Record<string, unknown>, name: string): number {
  const value = optionalNumberArg(args, name);
  if (value === undefined || !Number.isInteger(value) || value <= 0) {
    throw new ToolInputError(`"${name}" is required and must be a positive whole number.`);
  }
  return value;
}

/** Builds a tool definition with an object input schema. */
export function toolDefinition(
  name: string,
  description: string,
  properties: Record<string, unknown>,
  required: string[] = [],
): LlmTool {
  return {
    name,
    description,
    inputSchema: { type: 'object', properties, required, additionalProperties: false },
  };
}
