import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { GridBotError } from '@gridbot/core';

/**
 * Where the bytes of artifacts live, named by storage keys kept in the `artifacts` table
 * (never the bytes, never base64). Files under a directory today; an S3-compatible store can
 * implement the same two calls.
 */
export interface ArtifactStore {
  /** Stores `data` under a key derived from its thread and content, and returns the key. */
  put(threadId: number, data: Uint8Array, extension: string): Promise<string>;
  /** The bytes stored under `key`; throws when there are none. */
  get(key: string): Promise<Uint8Array>;
}

const KEY = /^\d{1,19}\/[0-9a-f]{64}\.[a-z0-9]{1,8}$/;

/**
 * Artifacts as files: `<dir>/<thread id>/<sha256>.<ext>`. The same bytes in the same
 * thread get the same key (a redelivered photo is stored once); a write goes to a temporary
 * file first and is renamed, so a reader never sees half a file. `DATA_DIR/artifacts` must
 * be shared by the gateways (which write) and the workers (which read).
 */
export class FileArtifactStore implements ArtifactStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = resolve(dir);
  }

  async put(threadId: number, data: Uint8Array, extension: string): Promise<string> {
    const ext =
      extension
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .slice(0, 8) || 'bin';
    const key = `${threadId}/${createHash('sha256').update(data).digest('hex')}.${ext}`;
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, path);
    return key;
  }

  async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.#path(key)));
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new GridBotError(`${JSON.stringify(key)} is not an artifact key.`);
    const path = join(this.#dir, ...key.split('/'));
    if (!path.startsWith(this.#dir + sep))
      throw new GridBotError(`Artifact key ${key} escapes the store.`);
    return path;
  }
}
