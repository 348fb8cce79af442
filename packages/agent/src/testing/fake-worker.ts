// Test support: plays the worker against the agent program over in-memory pipes.
import { PassThrough } from 'node:stream';
import { type InitializeParams, LineSplitter, type LlmMessage } from '@gridbot/core';
import { sampleInit } from '../../../../tests/support/sample-init.ts';
import { type AgentProgramOptions, runAgentProgram } from '../agent-program.ts';

/** A line the agent wrote. */
export interface AgentLine {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** An `llm.complete` request as the agent sent it. */
export interface LlmRequest extends AgentLine {
  params: { messages: LlmMessage[]; tools: Array<{ name: string }> };
}

export const AT = '2025-03-01T10:00:00Z';

/** A minimal valid `initialize` for thread 1 "Team", one new message from Alice. */
export function baseInit(overrides: Partial<InitializeParams> = {}): InitializeParams {
  return sampleInit({
    run: { id: 1, trigger: 'message' },
    thread: { id: 1, jid: 'telegram:-100', title: 'Team', isGroup: true, isMain: false },
    newMessages: [{ id: 5, role: 'user', senderName: 'Alice', text: 'hello', sentAt: AT }],
    now: AT,
    ...overrides,
  });
}

/** A fake worker connected to a fresh agent program. */
export class FakeWorker {
  readonly exit: Promise<number>;
  readonly logs: string[] = [];
  readonly #toAgent = new PassThrough();
  readonly #queue: AgentLine[] = [];
  readonly #waiters: Array<(line: AgentLine) => void> = [];
  #nextId = 1;

  constructor(options: Partial<Omit<AgentProgramOptions, 'input' | 'output' | 'log'>> = {}) {
    const fromAgent = new PassThrough();
    this.exit = runAgentProgram({
      ...options,
      input: this.#toAgent,
      output: fromAgent,
      log: (m) => this.logs.push(m),
    });
    const splitter = new LineSplitter(1 << 20);
    fromAgent.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind !== 'line') continue;
        const line = JSON.parse(event.line) as AgentLine;
        const waiter = this.#waiters.shift();
        if (waiter) waiter(line);
        else this.#queue.push(line);
      }
    });
  }

  /** Writes JSON-RPC messages to the agent (the `jsonrpc` field is added). */
  send(...messages: object[]): void {
    this.#toAgent.write(
      messages.map((m) => `${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`).join(''),
    );
  }

  /** The next line the agent writes. */
  next(): Promise<AgentLine> {
    const queued = this.#queue.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The next line, which must be a request for `method`. */
  async request<T extends AgentLine = AgentLine>(method: string): Promise<T> {
    const line = await this.next();
    if (line.method !== method) {
      throw new Error(`expected a ${method} request, got ${JSON.stringify(line).slice(0, 500)}`);
    }
    return line as T;
  }

  /** The next `llm.complete` request. */
  llm(): Promise<LlmRequest> {
    return this.request<LlmRequest>('llm.complete');
  }

  /** Starts a run and waits for the agent's answer to `initialize`. */
  async initialize(init: InitializeParams = baseInit()): Promise<void> {
    const id = `init-${this.#nextId++}`;
    this.send({ id, method: 'initialize', params: init });
    const answer = await this.next();
    if (answer.id !== id || answer.error) {
      throw new Error(`initialize failed: ${JSON.stringify(answer)}`);
    }
  }

  /** Answers a request of the agent. */
  reply(request: AgentLine, result: unknown): void {
    this.send({ id: request.id, result });
  }

  /** Answers a request of the agent with a JSON-RPC error. */
  fail(request: AgentLine, code: number, message: string): void {
    this.send({ id: request.id, error: { code, message } });
  }

  /** Answers an `llm.complete` with text and, optionally, tool calls. */
  answer(
    request: AgentLine,
    content: string,
    toolCalls: Array<{ id: string; name: string; arguments: Record<string, unknown> }> = [],
  ): void {
    this.reply(request, {
      content,
      toolCalls,
      usage: { inputTokens: 1, outputTokens: 1 },
      model: 'fake',
      stopReason: toolCalls.length > 0 ? 'tool_use' : 'end_turn',
    });
  }

  /** Closes the agent's input (as a worker that goes away). */
  end(): void {
    this.#toAgent.end();
  }
}

/** The last message of a model request, e.g. the tool result it was given. */
export function lastMessage(request: LlmRequest): LlmMessage | undefined {
  return request.params.messages.at(-1);
}
