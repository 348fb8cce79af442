/**
 * GridBot's roles as real processes for the fault-injection suite: started, killed with
 * SIGKILL and started again by the test, and watched for exits the test did not cause.
 */
import { freePort } from '../support/free-port.ts';
import { type GridbotProcess, spawnGridbot, waitUntilReady } from '../support/gridbot-process.ts';

/** A role process that exited without the test killing or stopping it. */
export interface Crash {
  role: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of its output. */
  tail: string;
}

export class ChaosRole {
  readonly name: string;
  readonly args: string[];
  readonly port: number;
  readonly #env: (port: number) => Record<string, string>;
  readonly #fleet: ChaosFleet;
  proc: GridbotProcess | null = null;
  /** Every process this role ran, oldest first (their output is kept for the report). */
  readonly generations: GridbotProcess[] = [];
  #expectingExit = false;

  constructor(
    fleet: ChaosFleet,
    name: string,
    args: string[],
    port: number,
    env: (port: number) => Record<string, string>,
  ) {
    this.#fleet = fleet;
    this.name = name;
    this.args = args;
    this.port = port;
    this.#env = env;
  }

  /** Starts the role and waits until it is ready. */
  async start(): Promise<void> {
    const proc = spawnGridbot(this.args, this.#env(this.port));
    this.proc = proc;
    this.generations.push(proc);
    this.#expectingExit = false;
    void proc.exited.then((code) => {
      if (this.#expectingExit && this.proc === proc) return;
      if (this.proc !== proc) return;
      this.#fleet.crashes.push({
        role: this.name,
        code,
        signal: proc.child.signalCode,
        tail: proc.output().slice(-3_000),
      });
    });
    await waitUntilReady(proc, this.port, 40_000);
  }

  /** SIGKILL, as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    this.#expectingExit = true;
    proc.child.kill('SIGKILL');
    await proc.exited;
  }

  /** SIGTERM and wait for the graceful stop. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.#expectingExit = true;
    await proc.stop(30_000);
  }
}

/** The set of roles of one suite. */
export class ChaosFleet {
  readonly roles: ChaosRole[] = [];
  readonly crashes: Crash[] = [];

  /** Adds (but does not start) a role; its port stays the same across restarts. */
  async add(
    name: string,
    args: string[],
    env: (port: number) => Record<string, string>,
  ): Promise<ChaosRole> {
    const role = new ChaosRole(this, name, args, await freePort(), env);
    this.roles.push(role);
    return role;
  }

  byPrefix(prefix: string): ChaosRole[] {
    return this.roles.filter((r) => r.name.startsWith(prefix));
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.roles.map((r) => r.stop()));
  }
}
