import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './services.ts';

export interface TestRedis {
  url: string;
  /** A BullMQ prefix of this test's own (hash-tagged like production). */
  prefix: string;
  /** Deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

export function createTestRedis(url = TEST_REDIS_URL): TestRedis {
  const prefix = `{gbt-${randomBytes(5).toString('hex')}}`;
  return {
    url,
    prefix,
    async cleanup() {
      const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } catch {
        // The server may be a private one the test already stopped.
      } finally {
        redis.disconnect();
      }
    },
  };
}
