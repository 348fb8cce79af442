import { agentMessageSchema } from '@gridbot/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Live events of one thread, published by the gateway and received by the worker running
 * the thread: a new message (follow-up input for the live agent) or a request to stop.
 */
export const threadEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: agentMessageSchema }),
  z.object({ type: z.literal('stop'), by: z.string() }),
]);
export type ThreadEvent = z.infer<typeof threadEventSchema>;

/** The pub/sub channel of a thread's live events. */
export function threadEventsChannel(prefix: string, threadId: number): string {
  return `${prefix}:thread:${threadId}`;
}

/** Publishes a thread event; resolves with how many workers received it (0: no live run). */
export async function publishThreadEvent(
  redis: Redis,
  prefix: string,
  threadId: number,
  event: ThreadEvent,
): Promise<number> {
  return redis.publish(threadEventsChannel(prefix, threadId), JSON.stringify(event));
}

type Handler = (event: ThreadEvent) => void;

/**
 * One subscriber connection per worker, shared by its live runs: each run subscribes to its
 * thread's channel for its duration. Malformed events are dropped.
 */
export class ThreadEventHub {
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #handlers = new Map<string, Set<Handler>>();

  /** `subscriber` becomes a subscriber-mode connection owned by the hub. */
  constructor(subscriber: Redis, prefix: string) {
    this.#subscriber = subscriber;
    this.#prefix = prefix;
    subscriber.on('message', (channel: string, raw: string) => {
      const handlers = this.#handlers.get(channel);
      if (!handlers) return;
      let event: ThreadEvent;
      try {
        event = threadEventSchema.parse(JSON.parse(raw));
      } catch {
        return;
      }
      for (const handler of handlers) handler(event);
    });
  }

  /** Receives the thread's events until the returned function is called. */
  async subscribe(threadId: number, handler: Handler): Promise<() => Promise<void>> {
    const channel = threadEventsChannel(this.#prefix, threadId);
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      await this.#subscriber.subscribe(channel);
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.#handlers.get(channel) === handlers) {
        this.#handlers.delete(channel);
        await this.#subscriber.unsubscribe(channel).catch(() => {});
      }
    };
  }

  close(): void {
    this.#handlers.clear();
    this.#subscriber.disconnect();
  }
}
