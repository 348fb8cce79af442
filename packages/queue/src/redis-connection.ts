import { ServiceUnavailableError } from '@gridbot/core';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /**
   * `worker`: commands wait while Redis is away (BullMQ workers need this).
   * `producer`: commands fail fast while Redis is away, so callers can fall back.
   */
  purpose: 'worker' | 'producer';
  connectionName?: string;
}

/** Opens an ioredis connection configured for BullMQ. */
export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: options.connectionName,
    maxRetriesPerRequest: options.purpose === 'worker' ? null : 1,
    enableOfflineQueue: options.purpose === 'worker',
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  };
  return new Redis(options.url, common);
}

/**
 * Checks once that Redis answers PING within `timeoutMs`; throws
 * {@link ServiceUnavailableError} otherwise. Used at start to fail with a clear message.
 */
export async function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  let firstError: Error | null = null;
  redis.on('error', (error: Error) => {
    firstError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (firstError ?? (error as Error)).message;
    throw new ServiceUnavailableError('redis', `Redis is not reachable: ${reason}`, {
      cause: error,
    });
  } finally {
    redis.disconnect();
  }
}

/**
 * Resolves once the connection is ready, or rejects after `timeoutMs`. A fresh connection
 * is still connecting: a short-lived producer (the CLI) must wait for it before its first
 * fail-fast command, or it would report Redis unreachable when it is not.
 */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms (${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
