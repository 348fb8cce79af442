import type { Readable, Writable } from 'node:stream';
import {
  type AgentMessage,
  type InitializeParams,
  initializeParamsSchema,
  inputParamsSchema,
  RpcErrorCode,
  type RunFinishParams,
} from '@gridbot/core';
import { buildConversation } from './build-conversation.ts';
import { type IncomingCall, RpcClient } from './rpc-client.ts';

export const AGENT_INFO = { agent: 'gridbot-agent', version: '0.1.0' } as const;

export interface AgentProgramOptions {
  input: Readable;
  output: Writable;
  log: (message: string) => void;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The default agent: answers `initialize`, makes one model call over the conversation and
 * finishes the run with its content. Resolves with the exit code once the worker says
 * `shutdown` or closes the input.
 */
export function runAgentProgram(options: AgentProgramOptions): Promise<number> {
  const { log } = options;
  return new Promise<number>((resolveExit) => {
    const newMessages: AgentMessage[] = [];
    let initialized = false;
    let started = false;
    let exitCode = 0;

    const run = async (init: InitializeParams): Promise<void> => {
      let finish: RunFinishParams;
      try {
        const messages = buildConversation(init, newMessages);
        started = true;
        const result = (await client.request('llm.complete', { messages, tools: [] })) as {
          content?: unknown;
        };
        const content = typeof result?.content === 'string' ? result.content : '';
        finish = { reply: content || null, status: 'ok' };
      } catch (error) {
        log(`llm.complete failed: ${errorMessage(error)}`);
        finish = { reply: null, status: 'error', error: errorMessage(error).slice(0, 4096) };
      }
      try {
        await client.request('run.finish', finish);
      } catch (error) {
        log(`run.finish failed: ${errorMessage(error)}`);
        exitCode = 1;
        resolveExit(exitCode);
      }
    };

    const onCall = (call: IncomingCall): void => {
      if (call.method === 'initialize' && call.id !== undefined) {
        if (initialized) {
          client.respondError(call.id, RpcErrorCode.InvalidRequest, 'already initialized');
          return;
        }
        const parsed = initializeParamsSchema.safeParse(call.params);
        if (!parsed.success) {
          const detail = parsed.error.issues
            .slice(0, 5)
            .map((issue) => `${issue.path.map(String).join('.') || 'params'}: ${issue.message}`)
            .join('; ');
          client.respondError(
            call.id,
            RpcErrorCode.InvalidParams,
            `Invalid initialize params: ${detail}`,
          );
          return;
        }
        initialized = true;
        client.respond(call.id, AGENT_INFO);
        newMessages.push(...parsed.data.newMessages);
        // Let `input` notifications already buffered behind initialize join this turn.
        setImmediate(() => void run(parsed.data));
      } else if (call.method === 'input') {
        const parsed = inputParamsSchema.safeParse(call.params);
        if (!parsed.success) log('ignored an invalid input notification');
        else if (started) log('input arrived after the model call; not used in this run');
        else newMessages.push(parsed.data.message);
      } else if (call.method === 'shutdown') {
        resolveExit(exitCode);
      } else if (call.id !== undefined) {
        client.respondError(
          call.id,
          RpcErrorCode.MethodNotFound,
          `Method not found: ${call.method}`,
        );
      }
    };

    const client = new RpcClient({ ...options, onCall, onEnd: () => resolveExit(exitCode) });
  });
}
