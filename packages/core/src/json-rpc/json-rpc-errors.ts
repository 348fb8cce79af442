import { GridBotError } from '../errors.ts';

/**
 * A JSON-RPC error. `JsonRpcPeer.request()` rejects with one when the other side answers
 * with an error; a request handler throws one to answer with that code and message. The
 * message travels to the other side verbatim, so it must hold nothing secret.
 */
export class JsonRpcError extends GridBotError {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, options?: { data?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JsonRpcError';
    this.code = code;
    this.data = options?.data;
  }
}

/**
 * A message could not be sent as one line: it is not JSON, or it is longer than the line
 * limit. Nothing was written; send less (a smaller result, a shorter history).
 */
export class JsonRpcEncodeError extends GridBotError {
  /** The encoded size, or null when the message is not JSON at all. */
  readonly bytes: number | null;
  constructor(message: string, bytes: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JsonRpcEncodeError';
    this.bytes = bytes;
  }
}

/** A request got no answer because the connection was closed first. */
export class JsonRpcClosedError extends GridBotError {
  readonly method: string;
  constructor(method: string, reason: string) {
    super(reason);
    this.name = 'JsonRpcClosedError';
    this.method = method;
  }
}
