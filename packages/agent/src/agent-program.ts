import { realpath } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import {
  type AgentMessage,
  type InitializeParams,
  initializeParamsSchema,
  inputParamsSchema,
  JsonRpcError,
  type JsonRpcIncomingNotification,
  type JsonRpcIncomingRequest,
  JsonRpcPeer,
  MAX_LINE_BYTES,
  RpcErrorCode,
  type RunFinishParams,
} from '@gridbot/core';
import { buildConversation, clockFor, speakerLines } from './build-conversation.ts';
import { loadInstructions } from './load-instructions.ts';
import { runToolLoop } from './tool-loop.ts';
import type { AgentTool } from './tools/agent-tool.ts';
import { createDefaultTools } from './tools/default-tools.ts';

export const AGENT_INFO = { agent: 'gridbot-agent', version: '0.1.0' } as const;

export interface AgentProgramOptions {
  input: Readable;
  output: Writable;
  log: (message: string) => void;
  /** The thread's workspace: tools work there; default the cwd (the runtime sets it). */
  workspace?: string;
  /** The tools offered to the model; default {@link createDefaultTools}. */
  tools?: readonly AgentTool[];
}

/** Longest reply `run.finish` accepts. */
const MAX_REPLY_CHARS = 256 * 1024;

/** The state of one run; a warm agent starts a fresh one on every `initialize`. */
interface Run {
  readonly init: InitializeParams;
  /** The messages the model sees as new: `initialize`'s, then the inputs taken so far. */
  readonly newMessages: AgentMessage[];
  /** `input` messages not yet shown to the model. */
  readonly inputs: AgentMessage[];
  /** Highest id among the inputs shown to the model. */
  lastInputId: number | null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalidParamsDetail(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || 'params'}: ${issue.message}`)
    .join('; ');
}

/** Moves the inputs that arrived so far into the new messages, before a model call. */
function takeInputs(run: Run): void {
  for (const message of run.inputs.splice(0)) {
    run.newMessages.push(message);
    run.lastInputId = Math.max(run.lastInputId ?? message.id, message.id);
  }
}

/**
 * The default agent: answers `initialize`, then runs the tool loop ({@link runToolLoop})
 * over the conversation with the workspace tools, taking follow-up `input` messages before
 * each model call, and finishes the run with the reply, claiming the inputs the model saw
 * with `lastInputId`. Then it waits for the next `initialize` (a warm agent serves several
 * runs, each with fresh state). Resolves with the exit code once the worker says
 * `shutdown` or closes the input; commands still running then are killed.
 */
export function runAgentProgram(options: AgentProgramOptions): Promise<number> {
  const { log } = options;
  const workspace = options.workspace ?? process.cwd();
  const tools = options.tools ?? createDefaultTools();
  /** Aborted when the program ends, so commands still running are killed. */
  const stopped = new AbortController();
  return new Promise<number>((resolve) => {
    const resolveExit = (code: number): void => {
      stopped.abort();
      resolve(code);
    };
    /** The run being served; null before the first `initialize` and after `run.finish` was sent. */
    let current: Run | null = null;
    let exitCode = 0;

    const complete = async (run: Run): Promise<RunFinishParams> => {
      try {
        takeInputs(run);
        const root = await realpath(workspace);
        const instructions = await loadInstructions(root, log);
        const conversation = buildConversation(run.init, {
          newMessages: run.newMessages,
          instructions,
          workspace: root,
          toolNames: tools.map((tool) => tool.definition.name),
        });
        const clock = clockFor(run.init);
        const result = await runToolLoop({
          conversation,
          tools,
          context: {
            workspace: root,
            call: (method, params) => peer.request(method, params),
            signal: stopped.signal,
          },
          maxSteps: run.init.config.max_steps,
          gatedTools: run.init.config.tools_requiring_approval,
          approvedTools: run.init.approvals
            .filter((approval) => approval.status === 'approved')
            .map((approval) => approval.tool),
          takeInputs: () => {
            const before = run.newMessages.length;
            takeInputs(run);
            return run.newMessages.slice(before);
          },
          renderInputs: (messages) => speakerLines(messages, clock),
          log,
        });
        if (result.ended !== 'answer')
          log(`run ended: ${result.ended} after ${result.steps} step(s)`);
        return {
          reply: result.reply?.slice(0, MAX_REPLY_CHARS) ?? null,
          status: 'ok',
          lastInputId: run.lastInputId,
        };
      } catch (error) {
        log(`run failed: ${errorMessage(error)}`);
        // The inputs were not answered: leave them unclaimed.
        return {
          reply: null,
          status: 'error',
          error: errorMessage(error).slice(0, 4096),
          lastInputId: null,
        };
      }
    };

    const serve = async (run: Run): Promise<void> => {
      const finish = await complete(run);
      if (run.inputs.length > 0) {
        log(
          `${run.inputs.length} input(s) arrived after the last model call; not claimed by this run`,
        );
      }
      // From here on the run is over for us: the next `initialize` may arrive before the
      // worker's answer to run.finish has been handled.
      current = null;
      try {
        await peer.request('run.finish', finish);
      } catch (error) {
        log(`run.finish failed: ${errorMessage(error)}`);
        exitCode = 1;
        resolveExit(exitCode);
      }
    };

    /** Starts a run; the answer is the agent's name and version. */
    const initialize = (params: unknown): typeof AGENT_INFO => {
      if (current) {
        throw new JsonRpcError(RpcErrorCode.InvalidRequest, 'a run is already in progress');
      }
      const parsed = initializeParamsSchema.safeParse(params);
      if (!parsed.success) {
        throw new JsonRpcError(
          RpcErrorCode.InvalidParams,
          `Invalid initialize params: ${invalidParamsDetail(parsed.error.issues)}`,
        );
      }
      const run: Run = {
        init: parsed.data,
        newMessages: [...parsed.data.newMessages],
        inputs: [],
        lastInputId: null,
      };
      current = run;
      // Answered before this runs (the peer writes a synchronous answer at once), and
      // `input` notifications already buffered behind initialize join this turn.
      setImmediate(() => void serve(run));
      return AGENT_INFO;
    };

    const onNotification = ({ method, params }: JsonRpcIncomingNotification): void => {
      if (method === 'input') {
        const parsed = inputParamsSchema.safeParse(params);
        if (!parsed.success) log('ignored an invalid input notification');
        else if (!current) log('input arrived outside a run; ignored');
        else current.inputs.push(parsed.data.message);
      } else if (method === 'shutdown') {
        resolveExit(exitCode);
      }
    };

    const onRequest = (request: JsonRpcIncomingRequest): unknown => {
      if (request.method === 'initialize') return initialize(request.params);
      if (request.method === 'input' || request.method === 'shutdown') {
        onNotification({ kind: 'notification', method: request.method, params: request.params });
        return null;
      }
      throw new JsonRpcError(RpcErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    };

    const peer = new JsonRpcPeer({
      write: (line) => options.output.write(line),
      onRequest,
      onNotification,
      onOverflow: () => log(`ignored a line from the worker over ${MAX_LINE_BYTES} bytes`),
      onMalformed: () => log('ignored a line from the worker that is not JSON-RPC 2.0'),
      onStrayResponse: (response) =>
        log(
          `worker message for no pending request${response.kind === 'error' ? `: ${response.error.message}` : ''}`,
        ),
    });
    options.input.on('data', (chunk: Buffer) => peer.receive(chunk));
    options.input.on('end', () => {
      peer.close('worker closed the connection');
      resolveExit(exitCode);
    });
  });
}
