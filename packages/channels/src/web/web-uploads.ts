import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An upload's id: what the browser's message names it by. */
const UPLOAD_ID = /^up-[0-9a-f-]{36}$/;
const DAY_MS = 24 * 3600_000;

/**
 * Files posted to the web chat, staged on disk between the request and the gateway's
 * intake: the gateway "downloads" them from here like any platform's attachment. Staging
 * outlives the request, so a message spooled while Postgres is down still finds its
 * images when it is replayed; files older than `maxAgeMs` (a day) are swept as new ones
 * arrive.
 */
export class WebUploads {
  readonly #dir: string;
  readonly #maxAgeMs: number;
  #lastSweep = 0;

  constructor(options: { dir: string; maxAgeMs?: number }) {
    this.#dir = options.dir;
    this.#maxAgeMs = options.maxAgeMs ?? DAY_MS;
  }

  /** Stages one file; returns its id. */
  async put(data: Uint8Array): Promise<string> {
    await mkdir(this.#dir, { recursive: true });
    await this.#sweep();
    const id = `up-${randomUUID()}`;
    const path = join(this.#dir, id);
    await writeFile(`${path}.tmp`, data);
    await rename(`${path}.tmp`, path);
    return id;
  }

  /** The staged file's bytes; throws for an unknown (or swept) id. */
  async get(id: string): Promise<Uint8Array> {
    if (!UPLOAD_ID.test(id)) throw new Error(`${JSON.stringify(id)} is not a web upload id`);
    return new Uint8Array(await readFile(join(this.#dir, id)));
  }

  /** Removes staged files older than the age limit, at most once a minute. */
  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const name of await readdir(this.#dir)) {
      const path = join(this.#dir, name);
      const info = await stat(path).catch(() => null);
      if (info && now - info.mtimeMs > this.#maxAgeMs) await rm(path, { force: true });
    }
  }
}
