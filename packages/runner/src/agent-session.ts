import {
  type AgentMessage,
  type AgentMethod,
  AgentProtocolError,
  type InitializeParams,
  JsonRpcError,
  type JsonRpcIncomingNotification,
  type JsonRpcIncomingRequest,
  RpcErrorCode,
  type RpcId,
  type RunFinishParams,
} from '@gridbot/core';
import { currentContext, inContext, inSpan, SpanKind } from '@gridbot/telemetry';
import type { Logger } from 'pino';
import { AgentConnection } from './agent-connection.ts';
import type { AgentProcess } from './agent-runtime.ts';
import { AgentWatch } from './agent-watch.ts';
import { dispatchRequest } from './dispatch-request.ts';
import { settlesWithin } from './settles-within.ts';
import { SlidingWindowLimiter } from './sliding-window-limiter.ts';
import { truncate } from './stderr-tail.ts';
import { validateAgentParams } from './validate-agent-params.ts';

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
  /**
   * Requests the host serves at once; default {@link DEFAULT_MAX_CONCURRENT_REQUESTS}.
   * Past it a request is refused at once (`RateLimited`), so an agent that fires thousands
   * of requests cannot make the worker hold thousands of queries or model calls.
   */
  maxConcurrentRequests?: number;
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

/** Enough for a model's parallel tool calls; far below what would load the worker. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 16;

/**
 * The host side of the agent protocol for one run: sends `initialize`, serves the agent's
 * requests through `handlers` until it calls `run.finish`, then shuts it down (or, with
 * `keepAlive`, leaves it running for the next session on the same agent). Every way the
 * agent can misbehave (exit early, hang, flood, break framing) ends as a rejection of
 * `run()` with an `AgentProtocolError` after the agent was killed; nothing is thrown
 * synchronously. The JSON-RPC conversation is an {@link AgentConnection}; what ends a run
 * from outside it (exit, timeout, abort) is an {@link AgentWatch}.
 */
export class AgentSession {
  readonly #agent: AgentProcess;
  readonly #init: InitializeParams;
  readonly #handlers: AgentRequestHandlers;
  readonly #chatSendLimit: { max: number; windowMs: number };
  readonly #limiter: SlidingWindowLimiter;
  readonly #maxConcurrent: number;
  #inFlight = 0;
  readonly #shutdownGraceMs: number;
  readonly #keepAlive: boolean;
  readonly #log: Logger;
  readonly #connection: AgentConnection;
  readonly #watch: AgentWatch;
  readonly #queuedInputs: AgentMessage[] = [];
  #reusable = false;
  /** The run's trace, where the session was made. */
  readonly #traceContext = currentContext();
  #state: 'idle' | 'running' | 'finishing' | 'done' = 'idle';
  #result: Promise<RunFinishParams> | undefined;
  #resolve: (params: RunFinishParams) => void = () => {};
  #reject: (error: Error) => void = () => {};

  constructor(options: AgentSessionOptions) {
    this.#agent = options.agent;
    this.#init = options.init;
    this.#handlers = options.handlers;
    this.#chatSendLimit = options.chatSendLimit ?? { max: 20, windowMs: 60_000 };
    this.#limiter = new SlidingWindowLimiter(this.#chatSendLimit);
    this.#maxConcurrent = options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS;
    this.#shutdownGraceMs = options.shutdownGraceMs ?? 2_000;
    this.#keepAlive = options.keepAlive ?? false;
    this.#log = options.logger.child({
      component: 'agent-session',
      threadId: options.init.thread.id,
      runId: options.init.run.id,
    });
    const fail = (code: string, message: string) => this.#fail(code, message);
    this.#connection = new AgentConnection({
      agent: options.agent,
      log: this.#log,
      onRequest: (request) => this.#onRequest(request),
      onNotification: (notification) => this.#onNotification(notification),
      onViolation: fail,
    });
    this.#watch = new AgentWatch({
      agent: options.agent,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      log: this.#log,
      onFailure: fail,
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
    else if (this.#state === 'running') this.#connection.notify('input', { message });
    else this.#log.debug({ messageId: message.id }, 'input after the run ended; dropped');
  }

  #start(): void {
    this.#state = 'running';
    this.#connection.open();
    this.#watch.start();
    // An already aborted signal failed the run in start().
    if (this.#state !== 'running') return;

    let initialized: Promise<unknown>;
    try {
      initialized = this.#connection.request('initialize', this.#init);
    } catch (error) {
      this.#log.error({ err: error }, 'initialize cannot be sent to the agent');
      this.#fail(
        'initialize_failed',
        'initialize params are over 1 MiB or not JSON; lower history_limit or trim memory',
      );
      return;
    }
    initialized.then(
      (result) => this.#log.debug({ method: 'initialize', result }, 'agent answered'),
      (error: unknown) => {
        // Otherwise the run ended before the answer came: nothing left to do.
        if (!(error instanceof JsonRpcError)) return;
        this.#fail(
          'initialize_failed',
          `agent refused initialize (${error.code}): ${truncate(error.message, 500)}`,
        );
      },
    );
    for (const message of this.#queuedInputs.splice(0)) {
      this.#connection.notify('input', { message });
    }
  }

  #onRequest({ id, method, params }: JsonRpcIncomingRequest): unknown {
    if (method === 'run.finish') return this.#finish(id, params);
    // Counted as the line is read, so a burst in one chunk is bounded too.
    if (this.#inFlight >= this.#maxConcurrent) {
      throw new JsonRpcError(
        RpcErrorCode.RateLimited,
        `at most ${this.#maxConcurrent} requests are served at once; wait for answers before sending more`,
      );
    }
    this.#inFlight += 1;
    // The agent's output stream keeps the context it was made in (maybe an earlier run's):
    // each request is served in this run's trace instead.
    const attributes = { 'rpc.system': 'jsonrpc', 'rpc.method': method };
    return inContext(this.#traceContext, () =>
      inSpan(`agent ${method}`, { kind: SpanKind.SERVER, attributes }, () =>
        this.#serve(method, params),
      ),
    ).finally(() => {
      this.#inFlight -= 1;
    });
  }

  #onNotification({ method, params }: JsonRpcIncomingNotification): void {
    // A `run.finish` sent without an id still ends the run; other notifications mean nothing here.
    if (method === 'run.finish') this.#finish(null, params);
    else this.#log.debug({ method }, 'ignored notification from agent');
  }

  /** Answers one request; the connection sends nothing once the run is over. */
  async #serve(method: string, params: unknown): Promise<unknown> {
    // One microtask first: an error answer to initialize read just before this request (in
    // the same chunk) fails the run in a promise callback, which must win over serving it.
    await undefined;
    if (this.#state !== 'running') return null;
    const outcome = await dispatchRequest({
      method,
      params,
      handlers: this.#handlers,
      takeChatSend: () => this.#limiter.tryTake(),
      chatSendLimit: this.#chatSendLimit,
      log: this.#log,
    });
    if (!outcome.ok) throw new JsonRpcError(outcome.code, outcome.message);
    return outcome.result;
  }

  /**
   * Ends the run on `run.finish`: answers it at once, before `shutdown` (invalid params are
   * refused by throwing, answered by the connection, and the run goes on).
   */
  #finish(id: RpcId | null, params: unknown): void {
    if (this.#state !== 'running') return;
    const validation = validateAgentParams('run.finish', params);
    if (!validation.ok) {
      if (id !== null) throw new JsonRpcError(RpcErrorCode.InvalidParams, validation.message);
      return;
    }
    // Parsed by runFinishParamsSchema, defaults applied.
    const finish = validation.params as RunFinishParams;
    this.#state = 'finishing';
    this.#watch.stop();
    if (id !== null) this.#connection.respond(id, { ok: true });
    if (this.#keepAlive && this.#watch.agentLooksAlive()) {
      this.#connection.release();
      this.#watch.release();
      this.#state = 'done';
      this.#reusable = true;
      this.#log.debug({ status: finish.status }, 'agent run finished; agent kept warm');
      this.#resolve(finish);
      return;
    }
    this.#connection.notify('shutdown');
    this.#connection.close();
    void this.#shutDown(finish);
  }

  async #shutDown(finish: RunFinishParams): Promise<void> {
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

  #fail(code: string, message: string, cause?: unknown): void {
    if (this.#state === 'finishing' || this.#state === 'done') return;
    this.#state = 'done';
    this.#watch.stop();
    this.#connection.close();
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
}
