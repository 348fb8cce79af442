/**
 * Fire-and-forget messages between processes: follow-up input and `/stop` for a live run,
 * task-change announcements, the web chat's replies. Nothing here is durable: Postgres
 * holds every message, and a subscriber that misses one catches up from there.
 */
export interface PubSub {
  /** Publishes to whoever listens now; nobody listening is not an error. */
  publish(channel: string, message: string): Promise<void>;
  /** Receives the channel's messages until the returned function is called. */
  subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type PubSubHandler = (message: string) => void;

/**
 * The handlers of each channel of one subscriber connection: the first handler of a
 * channel subscribes the connection to it, the last one leaving unsubscribes it.
 */
export class ChannelHandlers {
  readonly #handlers = new Map<string, Set<PubSubHandler>>();
  readonly #listen: (channel: string) => Promise<void>;
  readonly #unlisten: (channel: string) => Promise<void>;

  constructor(
    listen: (channel: string) => Promise<void>,
    unlisten: (channel: string) => Promise<void>,
  ) {
    this.#listen = listen;
    this.#unlisten = unlisten;
  }

  /** The channels with at least one handler (to listen again after a reconnect). */
  channels(): string[] {
    return [...this.#handlers.keys()];
  }

  dispatch(channel: string, message: string): void {
    for (const handler of this.#handlers.get(channel) ?? []) handler(message);
  }

  async add(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      try {
        await this.#listen(channel);
      } catch (error) {
        if (this.#handlers.get(channel) === handlers && handlers.size === 0)
          this.#handlers.delete(channel);
        throw error;
      }
    }
    handlers.add(handler);
    const own = handlers;
    return async () => {
      own.delete(handler);
      if (own.size === 0 && this.#handlers.get(channel) === own) {
        this.#handlers.delete(channel);
        await this.#unlisten(channel).catch(() => {});
      }
    };
  }

  clear(): void {
    this.#handlers.clear();
  }
}
