import { agentMessageSchema } from '@gridbot/core';
import { z } from 'zod';
import type { PubSub } from './pubsub.ts';

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

/** Publishes a thread event to the worker running the thread (nobody, when none runs). */
export async function publishThreadEvent(
  pubsub: PubSub,
  prefix: string,
  threadId: number,
  event: ThreadEvent,
): Promise<void> {
  await pubsub.publish(threadEventsChannel(prefix, threadId), JSON.stringify(event));
}

type Handler = (event: ThreadEvent) => void;

/**
 * A worker's subscriptions to the live events of the threads it runs: each run subscribes
 * to its thread's channel for its duration. Malformed events are dropped.
 */
export class ThreadEventHub {
  readonly #pubsub: PubSub;
  readonly #prefix: string;

  constructor(pubsub: PubSub, prefix: string) {
    this.#pubsub = pubsub;
    this.#prefix = prefix;
  }

  /** Receives the thread's events until the returned function is called. */
  subscribe(threadId: number, handler: Handler): Promise<() => Promise<void>> {
    return this.#pubsub.subscribe(threadEventsChannel(this.#prefix, threadId), (raw) => {
      let event: ThreadEvent;
      try {
        event = threadEventSchema.parse(JSON.parse(raw));
      } catch {
        return;
      }
      handler(event);
    });
  }
}
