import { type ChildProcess, spawn } from 'node:child_process';
import { type AgentTool, optionalNumberArg, stringArg, toolDefinition } from './agent-tool.ts';

export const BASH_DEFAULT_TIMEOUT_S = 60;
export const BASH_MAX_TIMEOUT_S = 300;
/** Output the model sees from one command: the start and the end of it, 16 KiB in all. */
export const BASH_OUTPUT_CAP = 16 * 1024;
/** After the shell exits, how long to wait for background processes still holding its pipes. */
const DRAIN_GRACE_MS = 500;

export interface ShellOptions {
  cwd: string;
  timeoutMs: number;
  /** Bytes of output kept (half from the start, half from the end). */
  outputCap?: number;
  /** Shells tried in order; the next is used when one is not installed. */
  shells?: readonly string[];
  /** Kills the command when aborted (the agent program is ending). */
  signal?: AbortSignal;
}

export interface ShellResult {
  /** The shell's exit code; null when it was killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** stdout and stderr interleaved as they arrived, capped with a `[… truncated N bytes]` marker. */
  output: string;
  shell: string;
}

/** Keeps the first and last `cap / 2` bytes of a stream and counts what falls between. */
class CappedOutput {
  readonly #half: number;
  #head = Buffer.alloc(0);
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(cap: number) {
    this.#half = Math.floor(cap / 2);
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#head.length < this.#half) {
      const take = Math.min(this.#half - this.#head.length, rest.length);
      this.#head = Buffer.concat([this.#head, rest.subarray(0, take)]);
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= this.#half) {
      this.#tailBytes -= this.#tail.shift()?.length ?? 0;
    }
  }

  toString(): string {
    let tail = Buffer.concat(this.#tail);
    if (tail.length > this.#half) tail = tail.subarray(tail.length - this.#half);
    const dropped = this.#total - this.#head.length - tail.length;
    if (dropped === 0) return Buffer.concat([this.#head, tail]).toString('utf8');
    return `${this.#head.toString('utf8')}\n[… truncated ${dropped} bytes]\n${tail.toString('utf8')}`;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    // The shell leads its own process group: this reaches everything it started.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function spawnShell(shell: string, command: string, cwd: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', command], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

/**
 * Runs `command` with `bash -c` (or `sh -c` where bash is missing) in `cwd`, stdin closed,
 * in its own process group, which is killed with SIGKILL at the timeout or when `signal`
 * aborts. Never rejects for the command's own failure; rejects only when no shell starts.
 */
export async function runShell(command: string, options: ShellOptions): Promise<ShellResult> {
  const shells = options.shells ?? ['bash', 'sh'];
  let child: ChildProcess | undefined;
  let shell = '';
  for (const candidate of shells) {
    try {
      child = await spawnShell(candidate, command, options.cwd);
      shell = candidate;
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  if (!child)
    throw new Error(
      `Could not start a shell (tried ${shells.join(', ')}): none is installed, or the workspace ${options.cwd} is missing.`,
    );
  const running = child;
  const output = new CappedOutput(options.outputCap ?? BASH_OUTPUT_CAP);
  running.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  running.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(running);
  }, options.timeoutMs);
  const onAbort = () => killGroup(running);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const closed = new Promise<void>((resolve) => running.once('close', () => resolve()));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    running.once('exit', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // Read what is left in the pipes; a background job that keeps them open is not waited for.
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      grace = setTimeout(() => {
        running.stdout?.destroy();
        running.stderr?.destroy();
        resolve();
      }, DRAIN_GRACE_MS);
    }),
  ]);
  clearTimeout(grace);
  return { exitCode, signal, timedOut, output: output.toString(), shell };
}

/** The text the model gets for a finished command. */
export function describeShellResult(result: ShellResult, timeoutS: number): string {
  const status = result.timedOut
    ? `[timed out after ${timeoutS} s; the command was killed]`
    : result.exitCode === null
      ? `[killed by ${result.signal ?? 'a signal'}]`
      : `[exit code ${result.exitCode}]`;
  return `${status}\n${result.output.length > 0 ? result.output : '(no output)'}`;
}

/** The `bash` tool: a shell command in the workspace. */
export function createBashTool(options: { shells?: readonly string[] } = {}): AgentTool {
  return {
    definition: toolDefinition(
      'bash',
      `Runs a shell command with bash -c in your workspace directory (the current directory) and returns its exit code and output (stdout and stderr together; at most ${BASH_OUTPUT_CAP / 1024} KiB, the middle of longer output is cut). stdin is closed, so nothing interactive works. The command is killed after timeout_seconds (default ${BASH_DEFAULT_TIMEOUT_S}, at most ${BASH_MAX_TIMEOUT_S}). Files you create in the workspace persist between runs.`,
      {
        command: {
          type: 'string',
          description: 'The command line, e.g. "ls -la && cat notes.md".',
        },
        timeout_seconds: {
          type: 'number',
          description: `Seconds before the command is killed; default ${BASH_DEFAULT_TIMEOUT_S}, max ${BASH_MAX_TIMEOUT_S}.`,
        },
      },
      ['command'],
    ),
    async run(args, context) {
      const command = stringArg(args, 'command');
      const asked = optionalNumberArg(args, 'timeout_seconds') ?? BASH_DEFAULT_TIMEOUT_S;
      const timeoutS = Math.min(Math.max(asked, 1), BASH_MAX_TIMEOUT_S);
      const result = await runShell(command, {
        cwd: context.workspace,
        timeoutMs: timeoutS * 1000,
        signal: context.signal,
        ...(options.shells ? { shells: options.shells } : {}),
      });
      return { text: describeShellResult(result, timeoutS) };
    },
  };
}
