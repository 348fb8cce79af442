import { PassThrough } from 'node:stream';
import { type AgentMessage, LineSplitter, MAX_LINE_BYTES } from '@gridbot/core';
import type { AgentExit, AgentProcess, AgentRuntime, AgentSpec } from '@gridbot/runner';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * For the benchmarks (given to the worker by `bench/gridbot-bench.ts`): an "agent" inside the worker's own
 * process that answers every run at once, without a program, a container or a model call,
 * so a benchmark measures GridBot's own path. Its reply quotes the run's new messages and
 * ends with `[agent-in=<ms> agent-out=<ms>]`: when `initialize` reached it and when it sent
 * `run.finish`, in wall-clock ms (see {@link preciseNow}), so the overhead before and after
 * the agent can be told apart. It isolates nothing and runs no tools.
 */
export class InProcessAgentRuntime implements AgentRuntime {
  readonly name = 'bench-inprocess';
  readonly #agents = new Set<BenchAgent>();
  readonly #delayMs: number;
  #next = 0;

  /** `delayMs`: how long each run "thinks" before it finishes (a slow agent, without CPU). */
  constructor(options: { delayMs?: number } = {}) {
    this.#delayMs = options.delayMs ?? 0;
  }

  async start(spec: AgentSpec): Promise<AgentProcess> {
    const agent = new BenchAgent(`bench-${spec.threadId}-${++this.#next}`, this.#delayMs);
    this.#agents.add(agent);
    void agent.exited.then(() => this.#agents.delete(agent));
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents].map((agent) => agent.kill()));
  }
}

class BenchAgent implements AgentProcess {
  readonly id: string;
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exited: Promise<AgentExit>;
  #exit: (exit: AgentExit) => void = () => {};
  #done = false;
  #requestId = 0;
  readonly #delayMs: number;

  constructor(id: string, delayMs: number) {
    this.id = id;
    this.#delayMs = delayMs;
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    this.stdin.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind === 'line') this.#onLine(event.line);
      }
    });
    this.stdin.on('end', () => this.#end({ code: 0, signal: null }));
  }

  #onLine(line: string): void {
    const message = JSON.parse(line) as {
      id?: number | string;
      method?: string;
      params?: { newMessages?: AgentMessage[] };
    };
    if (message.method === 'initialize' && message.id !== undefined) {
      const agentIn = preciseNow();
      this.#send({ jsonrpc: '2.0', id: message.id, result: { agent: 'bench-inprocess' } });
      const quoted = (message.params?.newMessages ?? []).map((m) => m.text).join(' | ');
      const finish = () => {
        const agentOut = preciseNow();
        this.#send({
          jsonrpc: '2.0',
          id: `finish-${++this.#requestId}`,
          method: 'run.finish',
          params: {
            reply: `${quoted} [agent-in=${agentIn.toFixed(3)} agent-out=${agentOut.toFixed(3)}]`,
            status: 'ok',
          },
        });
      };
      if (this.#delayMs > 0) setTimeout(finish, this.#delayMs);
      else finish();
    } else if (message.method === 'shutdown') {
      this.#end({ code: 0, signal: null });
    }
  }

  #send(message: object): void {
    if (!this.#done) this.stdout.write(`${JSON.stringify(message)}\n`);
  }

  #end(exit: AgentExit): void {
    if (this.#done) return;
    this.#done = true;
    this.stdout.end();
    this.stderr.end();
    this.#exit(exit);
  }

  async kill(): Promise<void> {
    this.#end({ code: null, signal: 'SIGTERM' });
    await this.exited;
  }
}
