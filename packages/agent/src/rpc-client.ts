import type { Readable, Writable } from 'node:stream';
import { LineSplitter, MAX_LINE_BYTES, type RpcId } from '@gridbot/core';

/** The worker answered one of our requests with a JSON-RPC error. */
export class RpcCallError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'RpcCallError';
    this.code = code;
  }
}

/** A request or notification the worker sent us. */
export interface IncomingCall {
  id?: RpcId;
  method: string;
  params?: unknown;
}

export interface RpcClientOptions {
  input: Readable;
  output: Writable;
  /** Writes a diagnostic line (to stderr in the real program). */
  log: (message: string) => void;
  /** Requests (with `id`) and notifications (without) from the worker. */
  onCall: (call: IncomingCall) => void;
  /** The worker closed our input. */
  onEnd: () => void;
}

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

/** The agent's end of the line-delimited JSON-RPC connection to the worker. */
export class RpcClient {
  readonly #output: Writable;
  readonly #log: (message: string) => void;
  readonly #pending = new Map<RpcId, Pending>();
  #nextId = 1;

  constructor(options: RpcClientOptions) {
    this.#output = options.output;
    this.#log = options.log;
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    options.input.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind === 'overflow')
          this.#log(`ignored a ${event.bytes}-byte line from the worker`);
        else this.#onLine(event.line, options.onCall);
      }
    });
    options.input.on('end', () => {
      for (const pending of this.#pending.values())
        pending.reject(new Error('worker closed the connection'));
      this.#pending.clear();
      options.onEnd();
    });
  }

  /** Calls a worker method; resolves with its result or rejects with an `RpcCallError`. */
  request(method: string, params: unknown): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#write({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Answers a worker request. */
  respond(id: RpcId, result: unknown): void {
    this.#write({ jsonrpc: '2.0', id, result });
  }

  /** Answers a worker request with an error. */
  respondError(id: RpcId, code: number, message: string): void {
    this.#write({ jsonrpc: '2.0', id, error: { code, message } });
  }

  #write(message: object): void {
    this.#output.write(`${JSON.stringify(message)}\n`);
  }

  #onLine(line: string, onCall: (call: IncomingCall) => void): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      this.#log('ignored a line from the worker that is not a JSON object');
      return;
    }
    const message = parsed as Record<string, unknown>;
    if (typeof message.method === 'string') {
      const id = message.id as RpcId | undefined;
      onCall({
        method: message.method,
        params: message.params,
        ...(id === undefined ? {} : { id }),
      });
      return;
    }
    const id = message.id as RpcId;
    const pending = this.#pending.get(id);
    if (!pending) {
      const error = message.error as { message?: string } | undefined;
      this.#log(`worker message for no pending request${error ? `: ${error.message}` : ''}`);
      return;
    }
    this.#pending.delete(id);
    const error = message.error as { code?: unknown; message?: unknown } | undefined;
    if (error) {
      pending.reject(new RpcCallError(Number(error.code), String(error.message)));
    } else {
      pending.resolve(message.result);
    }
  }
}
