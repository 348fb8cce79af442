import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTool, ToolContext } from './agent-tool.ts';
import { createFileTools, READ_FILE_CAP } from './file-tools.ts';

let base: string;
let workspace: string;
let outside: string;
let context: ToolContext;

const [readTool, writeTool, listTool] = createFileTools() as [AgentTool, AgentTool, AgentTool];

/** Runs a tool the way the loop does: a thrown error is the model's `Error: …`. */
async function use(tool: AgentTool, args: Record<string, unknown>): Promise<string> {
  try {
    return (await tool.run(args, context)).text;
  } catch (error) {
    return `Error: ${(error as Error).message}`;
  }
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'gridbot-files-'));
  workspace = join(base, 'workspace');
  outside = join(base, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'top secret');
  context = {
    workspace,
    call: () => Promise.reject(new Error('no worker here')),
    signal: new AbortController().signal,
  };
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('the file tools', () => {
  it('write, list and read files by relative and absolute paths inside the workspace', async () => {
    expect(await use(writeTool, { path: 'notes/today.md', content: 'buy rope' })).toBe(
      'Wrote 8 bytes to notes/today.md.',
    );
    expect(await use(readTool, { path: join(workspace, 'notes/today.md') })).toBe('buy rope');
    await writeFile(join(workspace, 'a.txt'), 'abc');
    expect(await use(listTool, {})).toBe('.:\na.txt (3 bytes)\nnotes/');
    expect(await use(listTool, { path: 'notes' })).toBe('notes:\ntoday.md (8 bytes)');
  });

  it('refuses paths that leave the workspace', async () => {
    for (const path of ['../outside/secret.txt', '/etc/passwd', 'notes/../../outside/secret.txt']) {
      expect(await use(readTool, { path })).toMatch(/^Error: .* is outside the workspace/);
    }
    expect(await use(writeTool, { path: '../outside/new.txt', content: 'x' })).toMatch(
      /outside the workspace/,
    );
    expect(await use(listTool, { path: '..' })).toMatch(/outside the workspace/);
  });

  it('refuses symlinks inside the workspace that point out of it, for reading and writing', async () => {
    await symlink(join(outside, 'secret.txt'), join(workspace, 'link.txt'));
    await symlink(outside, join(workspace, 'linkdir'));
    expect(await use(readTool, { path: 'link.txt' })).toMatch(/outside the workspace/);
    expect(await use(readTool, { path: 'linkdir/secret.txt' })).toMatch(/outside the workspace/);
    expect(await use(writeTool, { path: 'link.txt', content: 'pwned' })).toMatch(
      /outside the workspace/,
    );
    // A new file below a symlinked directory: its nearest existing parent is outside.
    expect(await use(writeTool, { path: 'linkdir/sub/new.txt', content: 'x' })).toMatch(
      /outside the workspace/,
    );
    expect(await use(listTool, { path: 'linkdir' })).toMatch(/outside the workspace/);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses to write through a dangling symlink', async () => {
    await symlink(join(outside, 'not-yet.txt'), join(workspace, 'dangling.txt'));
    expect(await use(writeTool, { path: 'dangling.txt', content: 'x' })).toMatch(
      /symlink whose target does not exist/,
    );
    await expect(readFile(join(outside, 'not-yet.txt'))).rejects.toThrow();
  });

  it('follows symlinks that stay inside the workspace', async () => {
    await writeFile(join(workspace, 'real.txt'), 'inside');
    await symlink(join(workspace, 'real.txt'), join(workspace, 'alias.txt'));
    expect(await use(readTool, { path: 'alias.txt' })).toBe('inside');
  });

  it('cuts long files, and does not show binary ones', async () => {
    await writeFile(join(workspace, 'big.txt'), 'y'.repeat(READ_FILE_CAP + 10));
    const text = await use(readTool, { path: 'big.txt' });
    expect(text).toMatch(
      new RegExp(
        `\\[… truncated: showed the first ${READ_FILE_CAP} of ${READ_FILE_CAP + 10} bytes\\]$`,
      ),
    );
    await writeFile(join(workspace, 'blob.bin'), Buffer.from([1, 0, 2]));
    expect(await use(readTool, { path: 'blob.bin' })).toBe(
      'blob.bin is a binary file (3 bytes); not shown.',
    );
  });

  it('explains missing files and directories given to the wrong tool', async () => {
    expect(await use(readTool, { path: 'nope.txt' })).toBe('Error: "nope.txt" does not exist.');
    await mkdir(join(workspace, 'dir'));
    expect(await use(readTool, { path: 'dir' })).toBe('Error: dir is a directory; use list_files.');
    expect(await use(writeTool, { path: 'dir', content: 'x' })).toBe('Error: dir is a directory.');
  });
});
