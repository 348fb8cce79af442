import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolContext } from './agent-tool.ts';
import { BASH_OUTPUT_CAP, createBashTool, runShell } from './bash-tool.ts';

let workspace: string;
let context: ToolContext;
let stop: AbortController;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'gridbot-bash-'));
  stop = new AbortController();
  context = {
    workspace,
    call: () => Promise.reject(new Error('no worker here')),
    signal: stop.signal,
  };
});

afterEach(async () => {
  stop.abort();
  await rm(workspace, { recursive: true, force: true });
});

const bash = createBashTool();

describe('the bash tool', () => {
  it('runs in the workspace and reports the exit code with stdout and stderr', async () => {
    const { text } = await bash.run(
      { command: 'echo $((6*7)); pwd; echo oops >&2; exit 3' },
      context,
    );
    expect(text).toBe(`[exit code 3]\n42\n${workspace}\noops\n`);
  });

  it('kills a command at its timeout, with what it printed so far', async () => {
    const started = Date.now();
    const { text } = await bash.run(
      { command: 'echo started; sleep 10; echo never', timeout_seconds: 1 },
      context,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(text).toBe('[timed out after 1 s; the command was killed]\nstarted\n');
  });

  it('keeps the start and the end of long output and says how much was cut', async () => {
    const { text } = await bash.run(
      { command: "echo BEGIN; head -c 100000 /dev/zero | tr '\\0' x; echo; echo END" },
      context,
    );
    const total = 'BEGIN\n'.length + 100_000 + 1 + 'END\n'.length;
    expect(text).toContain(`[… truncated ${total - BASH_OUTPUT_CAP} bytes]`);
    expect(text).toMatch(/^\[exit code 0\]\nBEGIN\nx/);
    expect(text).toMatch(/x\nEND\n$/);
    expect(text.length).toBeLessThan(BASH_OUTPUT_CAP + 200);
  });

  it('says when there was no output', async () => {
    expect((await bash.run({ command: 'true' }, context)).text).toBe('[exit code 0]\n(no output)');
  });

  it('falls back to the next shell when one is not installed', async () => {
    const result = await runShell('echo via $0', {
      cwd: workspace,
      timeoutMs: 5_000,
      shells: ['gridbot-no-such-shell', 'sh'],
    });
    expect(result).toMatchObject({ shell: 'sh', exitCode: 0, output: 'via sh\n' });
  });

  it('kills a running command when the program stops', async () => {
    const running = runShell('sleep 10', {
      cwd: workspace,
      timeoutMs: 60_000,
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(), 100);
    await expect(running).resolves.toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('does not wait for a background job that keeps the output open', async () => {
    const started = Date.now();
    const { text } = await bash.run({ command: 'sleep 5 & echo left' }, context);
    expect(text).toBe('[exit code 0]\nleft\n');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
