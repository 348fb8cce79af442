import type { Redis } from 'ioredis';
import { ChannelHandlers, type PubSub, type PubSubHandler } from './pubsub.ts';

/**
 * Redis pub/sub. `subscriber` becomes a subscriber-mode connection owned by this object
 * (ioredis subscribes it again after a reconnect); `publisher` stays the caller's.
 */
export class RedisPubSub implements PubSub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #handlers: ChannelHandlers;

  constructor(publisher: Redis, subscriber: Redis) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#handlers = new ChannelHandlers(
      async (channel) => {
        await subscriber.subscribe(channel);
      },
      async (channel) => {
        await subscriber.unsubscribe(channel);
      },
    );
    subscriber.on('message', (channel: string, message: string) =>
      this.#handlers.dispatch(channel, message),
    );
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#publisher.publish(channel, message);
  }

  subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    return this.#handlers.add(channel, handler);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#subscriber.disconnect();
  }
}
