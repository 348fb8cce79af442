import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../apps/cli/src/main.ts', import.meta.url));

/** A `gridbot …` child process with its output captured. */
export interface GridbotProcess {
  child: ChildProcess;
  output(): string;
  /** Parsed JSON log lines (non-JSON lines skipped). */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Which `gridbot` to run: the sources (default) or another entry (the bundle), with Node flags. */
export interface GridbotCommand {
  cli?: string;
  nodeArgs?: string[];
  /** Working directory (where `.env` is read from); default the repository root. */
  cwd?: string;
}

/** Starts `node apps/cli/src/main.ts …args` with exactly `env` (plus PATH and HOME). */
export function spawnGridbot(
  args: string[],
  env: Record<string, string>,
  command: GridbotCommand = {},
): GridbotProcess {
  const child = spawn(
    process.execPath,
    [...(command.nodeArgs ?? []), command.cli ?? CLI, ...args],
    {
      cwd: command.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    out += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => out,
    logs: () =>
      out.split('\n').flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a `gridbot …` command to completion. */
export async function runGridbot(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
  command: GridbotCommand = {},
): Promise<{ code: number | null; output: string }> {
  const proc = spawnGridbot(args, env, command);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, output: proc.output() };
}

/** Waits until a role answers `/readyz` on its health port. */
export async function waitUntilReady(
  proc: GridbotProcess,
  port: number,
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    `gridbot on port ${port} to be ready`,
    async () => {
      if (proc.child.exitCode !== null) {
        throw new Error(`process exited with ${proc.child.exitCode}:\n${proc.output()}`);
      }
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return res.status === 200;
    },
    timeoutMs,
    100,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- output ---\n${proc.output()}`);
  });
}
