import { type EmbeddedDatabase, openEmbeddedDatabase } from '@gridbot/db';
import {
  createBullmqPool,
  PipelineQueues,
  PostgresTransport,
  type QueueTransport,
  RedisTransport,
} from '@gridbot/queue';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { createTestRedis } from './test-redis.ts';

/**
 * The transports a mode uses: Redis (the redis mode), Postgres (postgres-only), and
 * Postgres on the embedded database (embedded; BullMQ through the session's pool).
 */
export const TRANSPORT_KINDS = ['redis', 'postgres', 'embedded'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

export interface TestTransport {
  transport: QueueTransport;
  /** The install prefix (a key prefix of the test's own on the shared Redis). */
  prefix: string;
  /** Closes the transport and removes what it left (Redis keys; the database is the caller's). */
  close(): Promise<void>;
}

/** A transport of that kind on the test's own Redis prefix, or on its own database. */
export async function createTestTransport(
  kind: TransportKind,
  t: TestDatabase,
): Promise<TestTransport> {
  const r = createTestRedis();
  if (kind === 'redis') {
    const transport = new RedisTransport({ url: r.url, prefix: r.prefix, connectionName: 'test' });
    // Its producer fails fast while not connected, as a role's does before its start check.
    await transport.waitReady(5_000);
    return {
      transport,
      prefix: r.prefix,
      async close() {
        await transport.close();
        await r.cleanup();
      },
    };
  }
  if (kind === 'embedded') {
    // Every transport of a test shares one embedded database, as the roles of `start` do.
    const embedded = await embeddedFor(t);
    const transport = await PostgresTransport.open({ pool: embedded.pool, ownsPool: false });
    return { transport, prefix: r.prefix, close: () => transport.close() };
  }
  const pool = createBullmqPool({ connectionString: t.url, applicationName: 'test-queues' });
  const transport = await PostgresTransport.open({ pool, ownsPool: true });
  return { transport, prefix: r.prefix, close: () => transport.close() };
}

const embedded = new WeakMap<TestDatabase, Promise<EmbeddedDatabase>>();

/**
 * The in-memory embedded database standing in for `t` in the embedded kind (opened once per
 * test database, closed with it).
 */
function embeddedFor(t: TestDatabase): Promise<EmbeddedDatabase> {
  let opened = embedded.get(t);
  if (!opened) {
    opened = openEmbeddedDatabase('memory://');
    embedded.set(t, opened);
    const drop = t.drop.bind(t);
    t.drop = async () => {
      await (await opened!).close();
      await drop();
    };
  }
  return opened;
}

export interface TransportSuite {
  t: TestDatabase;
  tt: TestTransport;
  queues: PipelineQueues;
}

/**
 * A suite's own database, a transport of that kind and the pipeline queues on it, opened
 * before its tests and closed after them (fields are set once `beforeAll` ran).
 */
export function useTestTransport(kind: TransportKind): TransportSuite {
  const suite = {} as TransportSuite;
  beforeAll(async () => {
    suite.t = await createTestDatabase();
    suite.tt = await createTestTransport(kind, suite.t);
    suite.queues = new PipelineQueues({ transport: suite.tt.transport, prefix: suite.tt.prefix });
  });
  afterAll(async () => {
    await suite.queues?.close();
    await suite.tt?.close();
    await suite.t?.drop();
  });
  return suite;
}
