import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { abortableSleep, type IngressHandler } from '@gridbot/channels';
import {
  type InboundEvent,
  inboundActionSchema,
  inboundDeliverySchema,
  inboundEditSchema,
  inboundMessageSchema,
} from '@gridbot/core';
import { isDatabaseUnavailable } from '@gridbot/db';
import { type Logger, processExists } from '@gridbot/service';

export interface IngressSpoolOptions {
  /** This channel's spool directory, e.g. `$DATA_DIR/spool/discord`. */
  dir: string;
  /** Commits one event (the gateway's ingress). */
  handle: IngressHandler;
  logger: Logger;
  /** Pause between tries while Postgres is away. */
  retryMs?: number;
}

/** An event read back from a spool file, with its dates revived and checked; null if torn. */
function parseLine(line: string): InboundEvent | null {
  try {
    const raw = JSON.parse(line) as Record<string, unknown>;
    switch (raw.kind) {
      case 'message':
        return inboundMessageSchema.parse({ ...raw, sentAt: new Date(String(raw.sentAt)) });
      case 'edit':
        return inboundEditSchema.parse({ ...raw, editedAt: new Date(String(raw.editedAt)) });
      case 'action':
        return inboundActionSchema.parse(raw);
      case 'delivery':
        return inboundDeliverySchema.parse({ ...raw, at: new Date(String(raw.at)) });
      default:
        return null;
    }
  } catch {
    return null;
  }
}

/**
 * For a platform that never redelivers (Discord, the web chat): an event that cannot be
 * committed because Postgres is away is appended to a local file and fsynced, and the
 * event counts as received. A replay loop commits spooled events in order once Postgres
 * answers; while any wait, newer events join the end of the spool, so none overtakes an
 * older one. Each process writes its own file (`<host>-<pid>-<id>.jsonl`); a starting
 * gateway adopts the files left by dead processes of its host and replays them first.
 * Replays are safe to repeat: ingress stores a platform message once.
 */
export class IngressSpool {
  readonly #o: IngressSpoolOptions;
  readonly #file: string;
  readonly #queue: InboundEvent[] = [];
  readonly #adopted: string[] = [];
  readonly #stopped = new AbortController();
  #handle: FileHandle | null = null;
  #replaying: Promise<void> | null = null;
  #appending: Promise<unknown> = Promise.resolve();

  constructor(options: IngressSpoolOptions) {
    this.#o = options;
    const id = randomBytes(3).toString('hex');
    this.#file = join(options.dir, `${hostname()}-${process.pid}-${id}.jsonl`);
  }

  /** Events waiting in the spool. */
  get backlog(): number {
    return this.#queue.length;
  }

  /** Adopts the spool files of dead processes on this host and starts replaying them. */
  async open(): Promise<void> {
    await mkdir(this.#o.dir, { recursive: true });
    const prefix = `${hostname()}-`;
    for (const name of (await readdir(this.#o.dir)).sort()) {
      const match = /^(.+)-(\d+)-[0-9a-f]+\.jsonl$/.exec(name);
      if (!name.startsWith(prefix) || !match || processExists(Number(match[2]))) continue;
      // Renaming claims the file: of two gateways starting at once, one wins.
      const claimed = join(this.#o.dir, `${name}.adopted-${process.pid}`);
      try {
        await rename(join(this.#o.dir, name), claimed);
      } catch {
        continue;
      }
      const lines = (await readFile(claimed, 'utf8')).split('\n').filter((l) => l !== '');
      let torn = 0;
      for (const line of lines) {
        const event = parseLine(line);
        if (event) this.#queue.push(event);
        else torn++;
      }
      this.#adopted.push(claimed);
      this.#o.logger.warn(
        { file: name, events: lines.length - torn, torn },
        'adopted the ingress spool of a gateway that died; committing its events first',
      );
    }
    if (this.#queue.length > 0) this.#replay();
  }

  /**
   * The ingress handler to give the adapter: commits the event, or spools it when Postgres
   * is away (and whenever older events still wait). Other failures are thrown as before.
   */
  readonly accept: IngressHandler = async (event) => {
    if (this.#queue.length === 0) {
      try {
        await this.#o.handle(event);
        return;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        this.#o.logger.warn(
          { err: error },
          'Postgres is away: spooling inbound events to disk until it is back',
        );
      }
    }
    this.#queue.push(event);
    this.#replay();
    // The platform hears "received" only once the event is on disk.
    await this.#append(event);
  };

  /** Runs a file operation after the ones before it (appends, clean-up never interleave). */
  #chain<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#appending.then(operation);
    this.#appending = result.catch(() => {});
    return result;
  }

  /** Appends one event and waits until it is on disk. */
  #append(event: InboundEvent): Promise<void> {
    return this.#chain(async () => {
      this.#handle ??= await open(this.#file, 'a');
      await this.#handle.appendFile(`${JSON.stringify(event)}\n`);
      await this.#handle.datasync();
    });
  }

  #replay(): void {
    this.#replaying ??= this.#drain().finally(() => {
      this.#replaying = null;
    });
  }

  async #drain(): Promise<void> {
    let committed = 0;
    for (;;) {
      committed += await this.#commitQueued();
      if (this.#stopped.signal.aborted) return;
      // Everything is committed: the files are no longer needed, unless an event arrived
      // meanwhile (then go on).
      const cleaned = await this.#chain(async () => {
        if (this.#queue.length > 0) return false;
        await this.#handle?.close();
        this.#handle = null;
        for (const file of [this.#file, ...this.#adopted.splice(0)])
          await unlink(file).catch(() => {});
        return true;
      });
      if (cleaned && this.#queue.length === 0) break;
    }
    if (committed > 0) this.#o.logger.info({ committed }, 'spooled inbound events committed');
  }

  /** Commits queued events in order until none is left or the spool closes. */
  async #commitQueued(): Promise<number> {
    const { handle, logger } = this.#o;
    let committed = 0;
    while (this.#queue.length > 0 && !this.#stopped.signal.aborted) {
      const event = this.#queue[0]!;
      try {
        await handle(event);
        committed++;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          await abortableSleep(this.#o.retryMs ?? 1_000, this.#stopped.signal);
          continue;
        }
        logger.error(
          { err: error, jid: event.chat.jid, platformMessageId: event.platformMessageId },
          'a spooled event was refused by ingress; dropping it',
        );
      }
      this.#queue.shift();
    }
    return committed;
  }

  /** Stops replaying; what is still spooled stays on disk for the next start. */
  async close(): Promise<void> {
    this.#stopped.abort();
    await this.#replaying;
    await this.#chain(async () => {
      await this.#handle?.close();
      this.#handle = null;
    });
  }
}
