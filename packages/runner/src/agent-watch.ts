import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { type ExitRelay, exitRelayOf } from './agent-exit-relay.ts';
import type { AgentExit, AgentProcess } from './agent-runtime.ts';
import { settlesWithin } from './settles-within.ts';
import { StderrTail } from './stderr-tail.ts';

/** After the agent exits, how long to wait for output still in its pipes. */
const DRAIN_MS = 500;
/** After the agent closes its stdout, how long to wait for it to exit. */
const EXIT_WAIT_MS = 1_000;

/** True once a stream can deliver nothing more. */
function isEnded(stream: Readable): boolean {
  return stream.readableEnded || stream.destroyed || stream.closed;
}

export interface AgentWatchOptions {
  agent: AgentProcess;
  /** Wall-clock limit of the run, counted from `start()`. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  log: Logger;
  /**
   * The run must end: `exited`, `oom`, `stopped`, `timeout` or `aborted`, with a message
   * for the operator. May be called more than once; the owner keeps the first.
   */
  onFailure: (code: string, message: string) => void;
}

/**
 * Watches a running agent for everything that ends a run from outside the protocol: the
 * process exiting (after its pipes drained, so a last `run.finish` still counts), stdout
 * closing without an exit, the time limit and the abort signal. Each becomes one
 * `onFailure` call with a message that quotes the agent's last stderr lines. Also logs the
 * agent's stderr.
 */
export class AgentWatch {
  readonly #agent: AgentProcess;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #log: Logger;
  readonly #onFailure: (code: string, message: string) => void;
  /** Forwards the agent's exit to this watch until it lets go of the agent. */
  readonly #exitRelay: ExitRelay;
  readonly #stderr = new StderrTail();
  readonly #cleanups: Array<() => void> = [];
  #stopped = false;
  #exit: AgentExit | null = null;
  #stdoutClosed = false;
  #stderrClosed = false;
  #markStreamsClosed: () => void = () => {};
  readonly #streamsClosed = new Promise<void>((resolve) => {
    this.#markStreamsClosed = resolve;
  });

  constructor(options: AgentWatchOptions) {
    this.#agent = options.agent;
    this.#timeoutMs = options.timeoutMs;
    this.#signal = options.signal;
    this.#log = options.log;
    this.#onFailure = options.onFailure;
    this.#exitRelay = exitRelayOf(options.agent);
  }

  /** Starts watching. With a signal already aborted, fails before returning. */
  start(): void {
    const { stdout, stderr } = this.#agent;
    this.#listen(stdout, 'end', () => this.#onStdoutClosed());
    this.#listen(stdout, 'close', () => this.#onStdoutClosed());
    this.#listen(stderr, 'data', (chunk: Buffer | string) => this.#onStderr(chunk));
    this.#listen(stderr, 'end', () => this.#onStderrClosed());
    this.#listen(stderr, 'close', () => this.#onStderrClosed());
    // A promise handler cannot be removed: the agent's one relay (see exitRelayOf) calls
    // whichever watch holds it, so a warm agent does not keep every past session alive.
    const relay = this.#exitRelay;
    relay.onExit = (exit) => void this.#onExit(exit);
    // The agent died between runs: this watch hears of it as if it had just happened.
    const already = relay.exit;
    if (already) queueMicrotask(() => relay.onExit?.(already));
    // A warm agent may have died between runs: its streams ended before we listened.
    if (isEnded(stderr)) this.#onStderrClosed();
    if (isEnded(stdout)) void this.#onStdoutClosed();

    const timer = setTimeout(
      () => this.#onFailure('timeout', `agent did not finish within ${this.#timeoutMs} ms`),
      this.#timeoutMs,
    );
    this.#cleanups.push(() => clearTimeout(timer));
    const signal = this.#signal;
    if (!signal) return;
    const onAbort = () => {
      const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason;
      this.#onFailure('aborted', `agent run was aborted${reason ? `: ${String(reason)}` : ''}`);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
  }

  /** Stops watching (the run is over): removes its listeners, timer and abort handler. */
  stop(): void {
    this.#stopped = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  /** Lets go of a live agent handed on to a later session: its exit no longer comes here. */
  release(): void {
    this.#exitRelay.onExit = null;
  }

  /** Whether the agent can still take a run, as far as can be told without waiting. */
  agentLooksAlive(): boolean {
    const { stdin, stdout } = this.#agent;
    return (
      this.#exit === null &&
      !this.#stdoutClosed &&
      !isEnded(stdout) &&
      !stdin.destroyed &&
      !stdin.writableEnded
    );
  }

  #listen(stream: NodeJS.EventEmitter, event: string, listener: (...args: never[]) => void): void {
    const handler = listener as (...args: unknown[]) => void;
    stream.on(event, handler);
    this.#cleanups.push(() => stream.removeListener(event, handler));
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
    if (this.#stopped || this.#exit) return;
    // If it exits soon, #onExit reports the exit code; otherwise it is stuck without output.
    if (await settlesWithin(this.#agent.exited, EXIT_WAIT_MS)) return;
    if (this.#stopped) return;
    this.#onFailure(
      'exited',
      `agent closed its stdout before finishing the run${this.#stderrSuffix()}`,
    );
  }

  async #onExit(exit: AgentExit): Promise<void> {
    this.#exit = exit;
    if (this.#stopped) return;
    // The exit can overtake the last output (maybe a run.finish): let the pipes drain first.
    await settlesWithin(this.#streamsClosed, DRAIN_MS);
    if (this.#stopped) return;
    if (exit.oomKilled) {
      this.#onFailure('oom', 'agent ran out of memory and was killed (raise its memory limit)');
      return;
    }
    if (exit.reason) {
      this.#onFailure('stopped', `agent was stopped: ${exit.reason}`);
      return;
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.#onFailure('exited', `agent ${how} before finishing the run${this.#stderrSuffix()}`);
  }

  #stderrSuffix(): string {
    const tail = this.#stderr.text(1024);
    return tail ? `. Last stderr:\n${tail}` : ' (no stderr output)';
  }
}
