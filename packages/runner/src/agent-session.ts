import type { Readable } from 'node:stream';
import {
  type AgentMessage,
  type AgentMethod,
  AgentProtocolError,
  type InitializeParams,
  type JsonRpcLine,
  LineSplitter,
  MAX_LINE_BYTES,
  parseJsonRpcLine,
  RpcErrorCode,
  type RpcId,
  type RunFinishParams,
} from '@gridbot/core';
import type { Logger } from 'pino';
import type { AgentExit, AgentProcess } from './agent-runtime.ts';
import { dispatchRequest } from './dispatch-request.ts';
import { settlesWithin } from './settles-within.ts';
import { SlidingWindowLimiter } from './sliding-window-limiter.ts';
import { StderrTail, truncate } from './stderr-tail.ts';
import { validateAgentParams } from './validate-agent-params.ts';

/** Malformed lines tolerated before the run is ended as a protocol violation. */
const MAX_MALFORMED_LINES = 20;
/** After the agent exits, how long to wait for output still in its pipes. */
const DRAIN_MS = 500;
/** After the agent closes its stdout, how long to wait for it to exit. */
const EXIT_WAIT_MS = 1_000;

/** True once a stream can deliver nothing more. */
function isEnded(stream: Readable): boolean {
  return stream.readableEnded || stream.destroyed || stream.closed;
}

/** Serves one agent method; `params` are already validated for methods with a core schema. */
export type AgentRequestHandler = (params: unknown) => Promise<unknown>;

/** Handlers by method; a known method without a handler answers `NotAvailable`. */
export type AgentRequestHandlers = Partial<
  Record<Exclude<AgentMethod, 'run.finish'>, AgentRequestHandler>
>;

export interface AgentSessionOptions {
  /** A started agent (from an `AgentRuntime`). The session kills it when the run ends badly. */
  agent: AgentProcess;
  /** Sent as the `initialize` request. */
  init: InitializeParams;
  handlers: AgentRequestHandlers;
  /** Wall-clock limit for the whole run, from `run()` to `run.finish`. */
  timeoutMs: number;
  /** `chat.send` calls allowed per window; default 20 per 60 s. */
  chatSendLimit?: { max: number; windowMs: number };
  logger: Logger;
  /** After `run.finish` and `shutdown`, how long the agent may take to exit before it is killed; default 2000. */
  shutdownGraceMs?: number;
  /**
   * Keep the agent running after a clean `run.finish` so a later session can reuse it (a
   * warm agent): no `shutdown` is sent, every listener this session attached is removed and
   * `reusable` turns true. Default false: the agent is shut down when the run ends.
   */
  keepAlive?: boolean;
  /** Aborting ends the run: the agent is killed and `run()` rejects with code `aborted`. */
  signal?: AbortSignal;
}

/** Who is told when an agent exits: the session serving it now, if any. */
interface ExitRelay {
  onExit: ((exit: AgentExit) => void) | null;
  /** Set once the agent has exited, for a session that starts after it did. */
  exit: AgentExit | null;
}

const exitRelays = new WeakMap<AgentProcess, ExitRelay>();

/**
 * The agent's exit relay, subscribed to `agent.exited` once for the agent's whole life.
 * One subscription per session instead would pile up on a warm agent that serves
 * thousands of runs, each holding its session (a closure's context keeps `this`). Kept
 * outside the class so the handlers' context holds only the relay.
 */
function exitRelayOf(agent: AgentProcess): ExitRelay {
  const known = exitRelays.get(agent);
  if (known) return known;
  const relay: ExitRelay = { onExit: null, exit: null };
  exitRelays.set(agent, relay);
  const exited = (exit: AgentExit) => {
    relay.exit = exit;
    relay.onExit?.(exit);
  };
  agent.exited.then(exited, () => exited({ code: null, signal: null }));
  return relay;
}

/**
 * The host side of the agent protocol for one run: sends `initialize`, serves the agent's
 * requests through `handlers` until it calls `run.finish`, then shuts it down (or, with
 * `keepAlive`, leaves it running for the next session on the same agent). Every way the
 * agent can misbehave (exit early, hang, flood, break framing) ends as a rejection of
 * `run()` with an `AgentProtocolError` after the agent was killed; nothing is thrown
 * synchronously.
 */
export class AgentSession {
  readonly #agent: AgentProcess;
  readonly #init: InitializeParams;
  readonly #handlers: AgentRequestHandlers;
  readonly #timeoutMs: number;
  readonly #chatSendLimit: { max: number; windowMs: number };
  readonly #limiter: SlidingWindowLimiter;
  readonly #signal: AbortSignal | undefined;
  readonly #shutdownGraceMs: number;
  readonly #keepAlive: boolean;
  readonly #log: Logger;
  readonly #splitter = new LineSplitter(MAX_LINE_BYTES);
  readonly #stderr = new StderrTail();
  /** Our requests awaiting the agent's answer: id → method. */
  readonly #pending = new Map<RpcId, string>();
  readonly #queuedInputs: AgentMessage[] = [];
  readonly #cleanups: Array<() => void> = [];
  /** Removes the stdio `error` guards; only run when the agent is handed on alive. */
  readonly #guardRemovals: Array<() => void> = [];
  /** Forwards the agent's exit to this session until it lets go of the agent. */
  readonly #exitRelay: ExitRelay;
  #reusable = false;
  #state: 'idle' | 'running' | 'finishing' | 'done' = 'idle';
  #nextId = 1;
  #malformed = 0;
  /** Bytes since the last newline, to refuse a huge line before it ends. */
  #partialBytes = 0;
  #exit: { code: number | null; signal: string | null } | null = null;
  #stdoutClosed = false;
  #stderrClosed = false;
  #markStreamsClosed: () => void = () => {};
  readonly #streamsClosed = new Promise<void>((resolve) => {
    this.#markStreamsClosed = resolve;
  });
  #result: Promise<RunFinishParams> | undefined;
  #resolve: (params: RunFinishParams) => void = () => {};
  #reject: (error: Error) => void = () => {};

  constructor(options: AgentSessionOptions) {
    this.#agent = options.agent;
    this.#init = options.init;
    this.#handlers = options.handlers;
    this.#timeoutMs = options.timeoutMs;
    this.#chatSendLimit = options.chatSendLimit ?? { max: 20, windowMs: 60_000 };
    this.#limiter = new SlidingWindowLimiter(this.#chatSendLimit);
    this.#exitRelay = exitRelayOf(options.agent);
    this.#signal = options.signal;
    this.#shutdownGraceMs = options.shutdownGraceMs ?? 2_000;
    this.#keepAlive = options.keepAlive ?? false;
    this.#log = options.logger.child({
      component: 'agent-session',
      threadId: options.init.thread.id,
      runId: options.init.run.id,
    });
  }

  /**
   * Runs the protocol to the end. Resolves with the agent's `run.finish` params once the
   * agent has exited (or been killed after a grace period); rejects with an
   * `AgentProtocolError` (`exited`, `timeout`, `aborted`, `malformed`, `line_too_long`,
   * `initialize_failed`) after killing the agent. With `keepAlive`, resolves as soon as
   * `run.finish` is answered and leaves the agent running (see `reusable`). Calling it again
   * returns the same promise.
   */
  run(): Promise<RunFinishParams> {
    this.#result ??= new Promise<RunFinishParams>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      try {
        this.#start();
      } catch (error) {
        this.#fail('internal', 'the agent session failed to start', error);
      }
    });
    return this.#result;
  }

  /**
   * True once the run finished cleanly with `keepAlive` and the agent was left running,
   * ready for another session (as far as the session could tell at that moment). False
   * before, after any failure, and always without `keepAlive`.
   */
  get reusable(): boolean {
    return this.#reusable;
  }

  /** Tells the agent a follow-up message arrived (notification `input`); dropped once the run is over. */
  sendInput(message: AgentMessage): void {
    if (this.#state === 'idle') this.#queuedInputs.push(message);
    else if (this.#state === 'running') this.#notify('input', { message });
    else this.#log.debug({ messageId: message.id }, 'input after the run ended; dropped');
  }

  #start(): void {
    this.#state = 'running';
    const { stdin, stdout, stderr } = this.#agent;
    // Kept unless the agent is handed on alive (an 'error' without a listener would crash
    // the worker): a write to a dead agent fails with EPIPE, possibly after the run is over.
    this.#guard(stdin, 'agent stdin closed');
    this.#guard(stdout, 'agent stdout error');
    this.#guard(stderr, 'agent stderr error');
    this.#listen(stdout, 'data', (chunk: Buffer | string) => this.#onStdout(chunk));
    this.#listen(stdout, 'end', () => this.#onStdoutClosed());
    this.#listen(stdout, 'close', () => this.#onStdoutClosed());
    this.#listen(stderr, 'data', (chunk: Buffer | string) => this.#onStderr(chunk));
    this.#listen(stderr, 'end', () => this.#onStderrClosed());
    this.#listen(stderr, 'close', () => this.#onStderrClosed());
    // A previous session on a warm agent paused stdout so that nothing is lost in between.
    stdout.resume();
    // A promise handler cannot be removed: the agent's one relay (see exitRelayOf) calls
    // whichever session holds it, so a warm agent does not keep every past session alive.
    const relay = this.#exitRelay;
    relay.onExit = (exit) => void this.#onExit(exit);
    // The agent died between runs: this session hears of it as if it had just happened.
    const already = relay.exit;
    if (already) queueMicrotask(() => relay.onExit?.(already));
    // A warm agent may have died between runs: its streams ended before we listened.
    if (isEnded(stderr)) this.#onStderrClosed();
    if (isEnded(stdout)) void this.#onStdoutClosed();

    const timer = setTimeout(
      () => this.#fail('timeout', `agent did not finish within ${this.#timeoutMs} ms`),
      this.#timeoutMs,
    );
    this.#cleanups.push(() => clearTimeout(timer));
    const signal = this.#signal;
    if (signal) {
      const onAbort = () => {
        const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason;
        this.#fail('aborted', `agent run was aborted${reason ? `: ${String(reason)}` : ''}`);
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }

    if (!this.#request('initialize', this.#init)) {
      this.#fail(
        'initialize_failed',
        'initialize params are over 1 MiB or not JSON; lower history_limit or trim memory',
      );
      return;
    }
    for (const message of this.#queuedInputs.splice(0)) this.#notify('input', { message });
  }

  #guard(stream: NodeJS.EventEmitter, message: string): void {
    const handler = (error: unknown) => this.#log.debug({ err: error }, message);
    stream.on('error', handler);
    this.#guardRemovals.push(() => stream.removeListener('error', handler));
  }

  #listen(stream: NodeJS.EventEmitter, event: string, listener: (...args: never[]) => void): void {
    const handler = listener as (...args: unknown[]) => void;
    stream.on(event, handler);
    this.#cleanups.push(() => stream.removeListener(event, handler));
  }

  #onStdout(chunk: Buffer | string): void {
    if (this.#state !== 'running') return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const lastNewline = bytes.lastIndexOf(0x0a);
    this.#partialBytes =
      lastNewline === -1 ? this.#partialBytes + bytes.length : bytes.length - lastNewline - 1;
    for (const event of this.#splitter.push(bytes)) {
      if (this.#state !== 'running') return;
      if (event.kind === 'overflow') this.#fail('line_too_long', 'agent sent a line over 1 MiB');
      else this.#onLine(event.line);
    }
    if (this.#partialBytes > MAX_LINE_BYTES) {
      this.#fail('line_too_long', 'agent sent a line over 1 MiB');
    }
  }

  #onLine(line: string): void {
    const message = parseJsonRpcLine(line);
    switch (message.kind) {
      case 'invalid':
        this.#onMalformed(line, message);
        return;
      case 'request':
        void this.#serve(message.id, message.method, message.params);
        return;
      case 'notification':
        // A `run.finish` sent without an id still ends the run; other notifications mean nothing here.
        if (message.method === 'run.finish') void this.#finish(null, message.params);
        else this.#log.debug({ method: message.method }, 'ignored notification from agent');
        return;
      case 'result':
      case 'error':
        this.#onResponse(message);
        return;
    }
  }

  #onMalformed(line: string, message: Extract<JsonRpcLine, { kind: 'invalid' }>): void {
    this.#malformed += 1;
    this.#log.warn(
      { line: truncate(line, 200), malformed: this.#malformed },
      'agent sent a malformed line',
    );
    this.#send({
      jsonrpc: '2.0',
      id: message.id,
      error: { code: message.code, message: message.message },
    });
    if (this.#malformed >= MAX_MALFORMED_LINES) {
      this.#fail('malformed', `agent sent ${this.#malformed} malformed lines (not JSON-RPC 2.0)`);
    }
  }

  #onResponse(message: Extract<JsonRpcLine, { kind: 'result' | 'error' }>): void {
    const method = message.id === null ? undefined : this.#pending.get(message.id);
    if (message.id === null || method === undefined) {
      this.#log.warn({ id: message.id, kind: message.kind }, 'agent answered no pending request');
      return;
    }
    this.#pending.delete(message.id);
    if (message.kind === 'result') {
      this.#log.debug({ method, result: message.result }, 'agent answered');
      return;
    }
    const { code, message: text } = message.error;
    if (method === 'initialize') {
      this.#fail('initialize_failed', `agent refused initialize (${code}): ${truncate(text, 500)}`);
      return;
    }
    this.#log.warn({ method, code, message: truncate(text, 500) }, 'agent answered with an error');
  }

  async #serve(id: RpcId, method: string, params: unknown): Promise<void> {
    if (method === 'run.finish') return this.#finish(id, params);
    const outcome = await dispatchRequest({
      method,
      params,
      handlers: this.#handlers,
      takeChatSend: () => this.#limiter.tryTake(),
      chatSendLimit: this.#chatSendLimit,
      log: this.#log,
    });
    if (this.#state !== 'running') return;
    if (!outcome.ok) return this.#replyError(id, outcome.code, outcome.message);
    if (!this.#send({ jsonrpc: '2.0', id, result: outcome.result ?? null })) {
      this.#replyError(
        id,
        RpcErrorCode.InternalError,
        `${method} result is over 1 MiB or not JSON`,
      );
    }
  }

  async #finish(id: RpcId | null, params: unknown): Promise<void> {
    if (this.#state !== 'running') return;
    const validation = validateAgentParams('run.finish', params);
    if (!validation.ok) {
      if (id !== null) this.#replyError(id, RpcErrorCode.InvalidParams, validation.message);
      return;
    }
    // Parsed by runFinishParamsSchema, defaults applied.
    const finish = validation.params as RunFinishParams;
    this.#state = 'finishing';
    this.#runCleanups();
    if (id !== null) this.#send({ jsonrpc: '2.0', id, result: { ok: true } });
    if (this.#keepAlive && this.#agentLooksAlive()) {
      this.#handOn();
      this.#state = 'done';
      this.#reusable = true;
      this.#log.debug({ status: finish.status }, 'agent run finished; agent kept warm');
      this.#resolve(finish);
      return;
    }
    this.#notify('shutdown');
    try {
      this.#agent.stdin.end();
    } catch {
      // Already closed: the agent is gone, which is what we want.
    }
    if (!(await settlesWithin(this.#agent.exited, this.#shutdownGraceMs))) {
      this.#log.warn(
        { graceMs: this.#shutdownGraceMs },
        'agent did not exit after shutdown; killing it',
      );
      await this.#kill();
    }
    this.#state = 'done';
    this.#log.debug({ status: finish.status }, 'agent run finished');
    this.#resolve(finish);
  }

  /** Whether the agent can still take a run, as far as can be told without waiting. */
  #agentLooksAlive(): boolean {
    const { stdin, stdout } = this.#agent;
    return (
      this.#exit === null &&
      !this.#stdoutClosed &&
      !isEnded(stdout) &&
      !stdin.destroyed &&
      !stdin.writableEnded
    );
  }

  /** Lets go of a live agent: removes everything this session attached to it. */
  #handOn(): void {
    for (const remove of this.#guardRemovals.splice(0)) remove();
    this.#exitRelay.onExit = null;
    // Whatever the agent writes before the next session listens waits in the pipe.
    this.#agent.stdout.pause();
  }

  #onStderr(chunk: Buffer | string): void {
    for (const line of this.#stderr.push(chunk)) this.#log.debug({ line }, 'agent stderr');
  }

  #onStderrClosed(): void {
    this.#stderrClosed = true;
    if (this.#stdoutClosed) this.#markStreamsClosed();
  }

  async #onStdoutClosed(): Promise<void> {
    if (this.#stdoutClosed) return;
    this.#stdoutClosed = true;
    if (this.#stderrClosed) this.#markStreamsClosed();
    if (this.#state !== 'running' || this.#exit) return;
    // If it exits soon, #onExit reports the exit code; otherwise it is stuck without output.
    if (await settlesWithin(this.#agent.exited, EXIT_WAIT_MS)) return;
    this.#fail('exited', `agent closed its stdout before finishing the run${this.#stderrSuffix()}`);
  }

  async #onExit(exit: AgentExit): Promise<void> {
    this.#exit = exit;
    if (this.#state !== 'running') return;
    // The exit can overtake the last output (maybe a run.finish): let the pipes drain first.
    await settlesWithin(this.#streamsClosed, DRAIN_MS);
    if (this.#state !== 'running') return;
    if (exit.oomKilled) {
      this.#fail('oom', 'agent ran out of memory and was killed (raise its memory limit)');
      return;
    }
    if (exit.reason) {
      this.#fail('stopped', `agent was stopped: ${exit.reason}`);
      return;
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.#fail('exited', `agent ${how} before finishing the run${this.#stderrSuffix()}`);
  }

  #stderrSuffix(): string {
    const tail = this.#stderr.text(1024);
    return tail ? `. Last stderr:\n${tail}` : ' (no stderr output)';
  }

  #fail(code: string, message: string, cause?: unknown): void {
    if (this.#state === 'finishing' || this.#state === 'done') return;
    this.#state = 'done';
    this.#runCleanups();
    const error = new AgentProtocolError(
      code,
      message,
      cause === undefined ? undefined : { cause },
    );
    this.#log.warn({ code }, `agent run failed: ${message}`);
    void this.#kill().then(() => this.#reject(error));
  }

  async #kill(): Promise<void> {
    try {
      await this.#agent.kill();
    } catch (error) {
      this.#log.warn({ err: error }, 'could not kill the agent');
    }
  }

  #runCleanups(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  #request(method: string, params: unknown): boolean {
    const id = this.#nextId++;
    this.#pending.set(id, method);
    return this.#send({ jsonrpc: '2.0', id, method, params });
  }

  #notify(method: string, params?: unknown): void {
    this.#send(
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params },
    );
  }

  #replyError(id: RpcId | null, code: number, message: string): void {
    this.#send({ jsonrpc: '2.0', id, error: { code, message } });
  }

  /** Writes one line; false if it cannot be encoded within the line limit (nothing written). */
  #send(message: object): boolean {
    let line: string;
    try {
      line = JSON.stringify(message);
    } catch (error) {
      this.#log.error({ err: error }, 'message to agent is not JSON');
      return false;
    }
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      this.#log.error({ bytes: Buffer.byteLength(line) }, 'message to agent is over 1 MiB');
      return false;
    }
    const { stdin } = this.#agent;
    if (stdin.destroyed || stdin.writableEnded) return true;
    try {
      stdin.write(`${line}\n`);
    } catch (error) {
      this.#log.debug({ err: error }, 'could not write to agent');
    }
    return true;
  }
}
