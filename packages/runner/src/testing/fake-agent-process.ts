import { PassThrough } from 'node:stream';
import { LineSplitter, MAX_LINE_BYTES, type RpcId } from '@gridbot/core';
import type { AgentProcess } from '../agent-runtime.ts';

/** A JSON-RPC message the host wrote to the agent. */
export interface HostMessage {
  jsonrpc: '2.0';
  id?: RpcId | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * An in-memory `AgentProcess` for tests of the host side: the test plays the agent by
 * reading what the host wrote (`next()`) and writing lines back (`send()`), and decides
 * when it exits. Not exported from the package.
 */
export class FakeAgentProcess implements AgentProcess {
  readonly id = 'fake';
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** How many times `kill()` was called. */
  kills = 0;
  #resolveExit: (exit: { code: number | null; signal: string | null }) => void = () => {};
  #hasExited = false;
  readonly #received: HostMessage[] = [];
  readonly #waiters: Array<(message: HostMessage) => void> = [];

  constructor() {
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    this.stdin.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind !== 'line') continue;
        const message = JSON.parse(event.line) as HostMessage;
        const waiter = this.#waiters.shift();
        if (waiter) waiter(message);
        else this.#received.push(message);
      }
    });
  }

  /** The next message the host wrote. */
  next(): Promise<HostMessage> {
    const message = this.#received.shift();
    if (message) return Promise.resolve(message);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Writes one JSON line to the host, as the agent. */
  send(message: object): void {
    this.stdout.write(`${JSON.stringify(message)}\n`);
  }

  /** Writes raw text to the host, as the agent. */
  sendRaw(text: string): void {
    this.stdout.write(text);
  }

  /** Answers the host's `initialize` request (which must be the next message). */
  async acceptInitialize(): Promise<HostMessage> {
    const message = await this.next();
    if (message.method !== 'initialize')
      throw new Error(`expected initialize, got ${message.method}`);
    this.send({ jsonrpc: '2.0', id: message.id, result: { agent: 'fake', version: '0' } });
    return message;
  }

  /** Sends a request as the agent and returns the host's answer to it. */
  async call(id: RpcId, method: string, params?: unknown): Promise<HostMessage> {
    this.send({ jsonrpc: '2.0', id, method, params });
    for (;;) {
      const message = await this.next();
      if (message.id === id && message.method === undefined) return message;
    }
  }

  /**
   * Ends the agent: resolves `exited` and closes its output, unless `keepOutputOpen` (to
   * play output still in the pipes after the exit; call `closeOutput()` later).
   */
  exit(
    code: number | null,
    signal: string | null = null,
    options: { keepOutputOpen?: boolean } = {},
  ): void {
    if (this.#hasExited) return;
    this.#hasExited = true;
    this.#resolveExit({ code, signal });
    if (!options.keepOutputOpen) this.closeOutput();
  }

  /** Closes stdout and stderr. */
  closeOutput(): void {
    this.stdout.end();
    this.stderr.end();
  }

  async kill(): Promise<void> {
    this.kills += 1;
    this.exit(null, 'SIGTERM');
  }
}
