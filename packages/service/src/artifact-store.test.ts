import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileArtifactStore } from './artifact-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridbot-artifacts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileArtifactStore', () => {
  it('stores bytes under a thread- and content-derived key, once for the same bytes', async () => {
    const store = new FileArtifactStore(dir);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const key = await store.put(12, bytes, 'JPG');
    expect(key).toMatch(/^12\/[0-9a-f]{64}\.jpg$/);
    expect(await store.put(12, bytes, 'jpg')).toBe(key);
    expect(await store.get(key)).toEqual(bytes);
    expect(await readdir(join(dir, '12'))).toHaveLength(1);
    expect(await store.put(13, bytes, 'jpg')).not.toBe(key);
  });

  it('refuses keys that are not its own, so none reads outside the store', async () => {
    const store = new FileArtifactStore(dir);
    for (const key of ['../etc/passwd', '12/../../x.jpg', '/abs/path.png', '12/abc.jpg']) {
      await expect(store.get(key)).rejects.toThrow(/not an artifact key/);
    }
  });
});
