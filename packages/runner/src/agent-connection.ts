import {
  type JsonRpcIncomingNotification,
  type JsonRpcIncomingRequest,
  JsonRpcPeer,
  type RpcId,
} from '@gridbot/core';
import type { Logger } from 'pino';
import type { AgentProcess } from './agent-runtime.ts';
import { truncate } from './stderr-tail.ts';

/** Malformed lines tolerated before the run is ended as a protocol violation. */
const MAX_MALFORMED_LINES = 20;

export interface AgentConnectionOptions {
  agent: AgentProcess;
  log: Logger;
  /** Serves one agent request (see `JsonRpcPeerOptions.onRequest`). */
  onRequest: (request: JsonRpcIncomingRequest) => unknown;
  onNotification: (notification: JsonRpcIncomingNotification) => void;
  /** The agent broke the framing beyond what is tolerated: `malformed` or `line_too_long`. */
  onViolation: (code: string, message: string) => void;
}

/**
 * The host's JSON-RPC connection to one agent for one run: a {@link JsonRpcPeer} reading
 * the agent's stdout and writing its stdin. It guards the agent's stdio against `error`
 * events (a write to a dead agent fails with EPIPE, possibly after the run is over) and
 * turns a line over 1 MiB, or too many malformed ones, into a violation. Sends never throw:
 * a message that cannot be sent is logged and dropped.
 */
export class AgentConnection {
  readonly #agent: AgentProcess;
  readonly #log: Logger;
  readonly #peer: JsonRpcPeer;
  readonly #onViolation: (code: string, message: string) => void;
  readonly #removeReader: Array<() => void> = [];
  /** Removes the stdio `error` guards; only run when the agent is handed on alive. */
  readonly #removeGuards: Array<() => void> = [];
  #malformed = 0;

  constructor(options: AgentConnectionOptions) {
    this.#agent = options.agent;
    this.#log = options.log;
    this.#onViolation = options.onViolation;
    this.#peer = new JsonRpcPeer({
      write: (line) => this.#write(line),
      onRequest: options.onRequest,
      onNotification: options.onNotification,
      onMalformed: (line) => this.#onMalformed(line),
      onOverflow: () => this.#onViolation('line_too_long', 'agent sent a line over 1 MiB'),
      onStrayResponse: (response) =>
        this.#log.warn(
          { id: response.id, kind: response.kind },
          'agent answered no pending request',
        ),
      onHandlerError: (error, request) =>
        this.#log.error({ err: error, method: request.method }, 'answer to agent cannot be sent'),
    });
  }

  /** Starts reading the agent's output (resumed: a session before may have paused it). */
  open(): void {
    const { stdin, stdout, stderr } = this.#agent;
    this.#guard(stdin, 'agent stdin closed');
    this.#guard(stdout, 'agent stdout error');
    this.#guard(stderr, 'agent stderr error');
    const onData = (chunk: Buffer | string) => this.#peer.receive(chunk);
    stdout.on('data', onData);
    this.#removeReader.push(() => stdout.removeListener('data', onData));
    stdout.resume();
  }

  /**
   * Sends a request. Throws a `JsonRpcEncodeError` (nothing written) when it does not fit
   * one line; otherwise see `JsonRpcPeer.request`.
   */
  request(method: string, params: unknown): Promise<unknown> {
    return this.#peer.request(method, params);
  }

  notify(method: string, params?: unknown): void {
    try {
      this.#peer.notify(method, params);
    } catch (error) {
      this.#log.error({ err: error, method }, 'message to agent cannot be sent');
    }
  }

  respond(id: RpcId, result: unknown): void {
    try {
      this.#peer.respond(id, result);
    } catch (error) {
      this.#log.error({ err: error, id }, 'answer to agent cannot be sent');
    }
  }

  /**
   * Ends the run's conversation: stops reading, answers nothing more (not even requests
   * still being served) and rejects our pending requests. The `error` guards stay.
   */
  close(): void {
    for (const remove of this.#removeReader.splice(0)) remove();
    this.#peer.close('the run ended');
  }

  /**
   * Lets go of a live agent for a later session: closes, removes the guards too, and
   * pauses stdout so whatever the agent writes meanwhile waits in the pipe.
   */
  release(): void {
    this.close();
    for (const remove of this.#removeGuards.splice(0)) remove();
    this.#agent.stdout.pause();
  }

  #guard(stream: NodeJS.EventEmitter, message: string): void {
    const handler = (error: unknown) => this.#log.debug({ err: error }, message);
    stream.on('error', handler);
    this.#removeGuards.push(() => stream.removeListener('error', handler));
  }

  #onMalformed(line: string): void {
    this.#malformed += 1;
    this.#log.warn(
      { line: truncate(line, 200), malformed: this.#malformed },
      'agent sent a malformed line',
    );
    if (this.#malformed >= MAX_MALFORMED_LINES) {
      this.#onViolation(
        'malformed',
        `agent sent ${this.#malformed} malformed lines (not JSON-RPC 2.0)`,
      );
    }
  }

  #write(line: string): void {
    const { stdin } = this.#agent;
    if (stdin.destroyed || stdin.writableEnded) return;
    try {
      stdin.write(line);
    } catch (error) {
      this.#log.debug({ err: error }, 'could not write to agent');
    }
  }
}
