import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { waitFor } from './wait-for.ts';

const CLI = fileURLToPath(new URL('../../apps/cli/src/main.ts', import.meta.url));

/** Keys as a terminal sends them. */
export const KEYS = {
  enter: '\r',
  down: '\u001b[B',
  backspace: '\u007f',
  ctrlC: '\u0003',
} as const;

/** `gridbot …` in a pseudo-terminal (util-linux `script`), typed at like a person would. */
export interface TerminalSession {
  child: ChildProcess;
  /** What the screen showed so far, colours and cursor moves removed. */
  output(): string;
  /** Waits until the screen has shown `text` (after `from` characters of output). */
  waitForText(text: string, from?: number): Promise<void>;
  type(keys: string): void;
  exited: Promise<number | null>;
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

export function runInTerminal(args: string[], env: Record<string, string>): TerminalSession {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  child.stdout?.on('data', (chunk) => {
    raw += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    raw += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const output = () => stripVTControlCharacters(raw);
  return {
    child,
    output,
    async waitForText(text, from = 0) {
      await waitFor(`the terminal to show ${JSON.stringify(text)}`, () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output()}`);
        return output().slice(from).includes(text);
      });
    },
    type(keys) {
      child.stdin?.write(keys);
    },
    exited,
  };
}
