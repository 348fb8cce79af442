import { link, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceFullError } from './mount-errors.ts';
import { checkWorkspaceSize, diskUsage } from './workspace-size.ts';

const MB = 1024 * 1024;
let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'gridbot-wsize-'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A directory holding `mb` megabytes of real (non-sparse) data in nested files. */
async function workspaceWith(name: string, mb: number): Promise<string> {
  const dir = join(base, name);
  await mkdir(join(dir, 'a', 'b'), { recursive: true });
  await writeFile(join(dir, 'a', 'b', 'data.bin'), Buffer.alloc(mb * MB, 1));
  return dir;
}

describe('checkWorkspaceSize', () => {
  it('lets a workspace under the cap through and refuses one over it', async () => {
    const dir = await workspaceWith('over', 3);
    await expect(checkWorkspaceSize(dir, 8 * MB)).resolves.toBeUndefined();
    const refusal = await checkWorkspaceSize(dir, 2 * MB).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WorkspaceFullError);
    expect((refusal as WorkspaceFullError).message).toContain('more than 2 MB');
    // Nothing is deleted.
    expect(await diskUsage(dir)).toBeGreaterThanOrEqual(3 * MB);
  });

  it('counts hard links once and does not follow symlinks out of the workspace', async () => {
    const outside = await workspaceWith('outside', 4);
    const dir = await workspaceWith('links', 1);
    await link(join(dir, 'a', 'b', 'data.bin'), join(dir, 'again.bin'));
    await symlink(outside, join(dir, 'elsewhere'));
    const used = await diskUsage(dir);
    expect(used).toBeGreaterThanOrEqual(1 * MB);
    expect(used).toBeLessThan(2 * MB);
  });

  it('counts what a sparse file holds, not its length', async () => {
    const dir = join(base, 'sparse');
    await mkdir(dir);
    await writeFile(join(dir, 'hole.bin'), '');
    await truncate(join(dir, 'hole.bin'), 512 * MB);
    await expect(checkWorkspaceSize(dir, 1 * MB)).resolves.toBeUndefined();
  });

  it('takes a missing workspace as empty, and no cap as no check', async () => {
    expect(await diskUsage(join(base, 'never-created'))).toBe(0);
    const dir = await workspaceWith('uncapped', 2);
    await expect(checkWorkspaceSize(dir, 0)).resolves.toBeUndefined();
  });
});
