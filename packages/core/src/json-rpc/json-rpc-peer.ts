import { JsonRpcClosedError, JsonRpcEncodeError, JsonRpcError } from './json-rpc-errors.ts';
import { JsonRpcErrorCode, type RpcId } from './json-rpc-message.ts';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter.ts';
import { type JsonRpcLine, parseJsonRpcLine } from './parse-json-rpc-line.ts';

/** A request the other side sent. */
export type JsonRpcIncomingRequest = Extract<JsonRpcLine, { kind: 'request' }>;
/** A notification the other side sent. */
export type JsonRpcIncomingNotification = Extract<JsonRpcLine, { kind: 'notification' }>;
/** A response the other side sent. */
export type JsonRpcIncomingResponse = Extract<JsonRpcLine, { kind: 'result' | 'error' }>;
/** A line that is not JSON-RPC 2.0, with the error it was answered with. */
export type JsonRpcMalformedLine = Extract<JsonRpcLine, { kind: 'invalid' }>;

export interface JsonRpcPeerOptions {
  /** Writes one encoded line, newline included (to a pipe, a socket). */
  write: (line: string) => void;
  /** Longest line sent or accepted, in bytes; default {@link MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /**
   * Serves a request: its return value (or what its promise resolves to) is the result; a
   * thrown {@link JsonRpcError} is answered with its code and message, anything else with
   * a generic `InternalError` (and reported to `onHandlerError`). A value returned
   * synchronously is answered before `receive()` goes on to the next line. Without this
   * option every request is answered `MethodNotFound`.
   */
  onRequest?: (request: JsonRpcIncomingRequest) => unknown;
  onNotification?: (notification: JsonRpcIncomingNotification) => void;
  /** A line that is not JSON-RPC 2.0; it has already been answered with an error response. */
  onMalformed?: (line: string, problem: JsonRpcMalformedLine) => void;
  /** A line passed the limit; it is dropped and reading resumes after its newline. */
  onOverflow?: (bytes: number) => void;
  /** A response to no request of ours (or to one already answered, or with id null). */
  onStrayResponse?: (response: JsonRpcIncomingResponse) => void;
  /**
   * A handler failed with something other than a `JsonRpcError`, or its result could not be
   * encoded; the request was answered with an `InternalError` that does not show the cause.
   */
  onHandlerError?: (error: unknown, request: JsonRpcIncomingRequest) => void;
}

type Pending = { method: string; resolve: (result: unknown) => void; reject: (e: Error) => void };
/** A request being served; `answered` once its response is written (or must not be). */
type Serving = { id: RpcId; answered: boolean };

function describeBytes(bytes: number): string {
  const mib = 1024 * 1024;
  return bytes % mib === 0 ? `${bytes / mib} MiB` : `${bytes} bytes`;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * One end of a JSON-RPC 2.0 connection over newline-delimited lines, the same for both
 * ends: it frames what arrives (`receive`), answers malformed lines, dispatches requests to
 * `onRequest` and answers them, matches responses to its own requests by id, and writes
 * requests, notifications and responses as single lines. Every send refuses, by throwing a
 * {@link JsonRpcEncodeError} before writing anything, a message that is not JSON or does
 * not fit one line. It knows nothing of streams: the owner feeds it chunks and gives it a
 * `write` function.
 */
export class JsonRpcPeer {
  readonly #options: JsonRpcPeerOptions;
  readonly #maxLineBytes: number;
  readonly #splitter: LineSplitter;
  readonly #pending = new Map<RpcId, Pending>();
  readonly #serving = new Set<Serving>();
  #nextId = 1;
  #closed = false;

  constructor(options: JsonRpcPeerOptions) {
    this.#options = options;
    this.#maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#splitter = new LineSplitter(this.#maxLineBytes);
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Feeds bytes from the other side. Lines are handled in order; a line whose handling
   * closes the peer is the last one handled. Ignored once closed.
   */
  receive(chunk: Buffer | string): void {
    if (this.#closed) return;
    for (const event of this.#splitter.push(chunk)) {
      if (this.#closed) return;
      if (event.kind === 'overflow') this.#options.onOverflow?.(event.bytes);
      else this.#onLine(event.line);
    }
  }

  /**
   * Sends a request. Resolves with the result; rejects with a {@link JsonRpcError} when the
   * other side answers with an error, or a {@link JsonRpcClosedError} when the peer closes
   * first. Throws a `JsonRpcEncodeError` (synchronously, nothing written) if the request
   * does not fit one line.
   */
  request(method: string, params?: unknown): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(new JsonRpcClosedError(method, 'the connection is closed'));
    }
    const id = this.#nextId++;
    const line = this.#encode({ jsonrpc: '2.0', id, method, params }, `the ${method} request`);
    const answer = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
    });
    this.#write(line);
    return answer;
  }

  /** Sends a notification (no answer expected). Dropped once closed. */
  notify(method: string, params?: unknown): void {
    if (this.#closed) return;
    const message = params === undefined ? { method } : { method, params };
    this.#write(this.#encode({ jsonrpc: '2.0', ...message }, `the ${method} notification`));
  }

  /**
   * Answers a request with a result now, instead of with the handler's return value (which
   * is then not sent). Dropped once closed.
   */
  respond(id: RpcId, result: unknown): void {
    if (this.#closed) return;
    const line = this.#encode({ jsonrpc: '2.0', id, result: result ?? null }, 'the result');
    this.#markAnswered(id);
    this.#write(line);
  }

  /** Answers a request with an error now (see {@link respond}). Dropped once closed. */
  respondError(id: RpcId | null, code: number, message: string, data?: unknown): void {
    if (this.#closed) return;
    const error = data === undefined ? { code, message } : { code, message, data };
    const line = this.#encode({ jsonrpc: '2.0', id, error }, 'the error response');
    if (id !== null) this.#markAnswered(id);
    this.#write(line);
  }

  /**
   * Ends the connection: our pending requests reject with a `JsonRpcClosedError` carrying
   * `reason`; requests still being served are not answered; further input is ignored and
   * further sends are dropped. Safe to call twice.
   */
  close(reason = 'the connection closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serving.clear();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { method, reject } of pending) reject(new JsonRpcClosedError(method, reason));
  }

  #onLine(line: string): void {
    const message = parseJsonRpcLine(line);
    switch (message.kind) {
      case 'invalid':
        // Not through respondError: a salvaged id must not count as answering a request.
        this.#writeError(message.id, message.code, message.message);
        this.#options.onMalformed?.(line, message);
        return;
      case 'request':
        this.#serve(message);
        return;
      case 'notification':
        this.#options.onNotification?.(message);
        return;
      case 'result':
      case 'error':
        this.#onResponse(message);
        return;
    }
  }

  #onResponse(response: JsonRpcIncomingResponse): void {
    const pending = response.id === null ? undefined : this.#pending.get(response.id);
    if (response.id === null || pending === undefined) {
      this.#options.onStrayResponse?.(response);
      return;
    }
    this.#pending.delete(response.id);
    if (response.kind === 'result') {
      pending.resolve(response.result);
      return;
    }
    const { code, message, data } = response.error;
    pending.reject(new JsonRpcError(code, message, data === undefined ? undefined : { data }));
  }

  #serve(request: JsonRpcIncomingRequest): void {
    const handler = this.#options.onRequest;
    const serving: Serving = { id: request.id, answered: false };
    this.#serving.add(serving);
    if (!handler) {
      const error = new JsonRpcError(
        JsonRpcErrorCode.MethodNotFound,
        `Method not found: ${request.method}`,
      );
      this.#answerError(serving, request, error);
      return;
    }
    let outcome: unknown;
    try {
      outcome = handler(request);
    } catch (error) {
      this.#answerError(serving, request, error);
      return;
    }
    if (!isThenable(outcome)) {
      this.#answer(serving, request, outcome);
      return;
    }
    outcome.then(
      (result) => this.#answer(serving, request, result),
      (error: unknown) => this.#answerError(serving, request, error),
    );
  }

  /** Claims the right to answer: false if it was answered already or the peer is closed. */
  #claim(serving: Serving): boolean {
    this.#serving.delete(serving);
    if (serving.answered || this.#closed) return false;
    serving.answered = true;
    return true;
  }

  #markAnswered(id: RpcId): void {
    for (const serving of this.#serving) {
      if (serving.id === id && !serving.answered) {
        serving.answered = true;
        this.#serving.delete(serving);
        return;
      }
    }
  }

  #answer(serving: Serving, request: JsonRpcIncomingRequest, result: unknown): void {
    if (!this.#claim(serving)) return;
    let line: string;
    try {
      line = this.#encode({ jsonrpc: '2.0', id: request.id, result: result ?? null }, 'result');
    } catch (error) {
      this.#options.onHandlerError?.(error, request);
      const message = `${request.method} result is over ${describeBytes(this.#maxLineBytes)} or not JSON`;
      this.#writeError(request.id, JsonRpcErrorCode.InternalError, message);
      return;
    }
    this.#write(line);
  }

  #answerError(serving: Serving, request: JsonRpcIncomingRequest, error: unknown): void {
    if (!this.#claim(serving)) return;
    if (error instanceof JsonRpcError) {
      this.#writeError(request.id, error.code, error.message, error.data);
      return;
    }
    this.#options.onHandlerError?.(error, request);
    this.#writeError(request.id, JsonRpcErrorCode.InternalError, `${request.method} failed`);
  }

  /** Writes an error response; one that does not fit (a huge message) is cut to its code. */
  #writeError(id: RpcId | null, code: number, message: string, data?: unknown): void {
    const error = data === undefined ? { code, message } : { code, message, data };
    let line: string;
    try {
      line = this.#encode({ jsonrpc: '2.0', id, error }, 'the error response');
    } catch {
      line = JSON.stringify({ jsonrpc: '2.0', id, error: { code, message: 'error too large' } });
    }
    this.#write(line);
  }

  #encode(message: object, what: string): string {
    let line: string;
    try {
      line = JSON.stringify(message);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new JsonRpcEncodeError(`${what} is not JSON: ${reason}`, null, { cause });
    }
    const bytes = Buffer.byteLength(line);
    if (bytes > this.#maxLineBytes) {
      throw new JsonRpcEncodeError(
        `${what} is ${bytes} bytes, over the ${describeBytes(this.#maxLineBytes)} line limit`,
        bytes,
      );
    }
    return line;
  }

  #write(line: string): void {
    this.#options.write(`${line}\n`);
  }
}
