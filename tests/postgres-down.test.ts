/**
 * Postgres down under the gateways. Discord and the web chat do not redeliver: an event
 * the gateway cannot commit must be spooled to disk and committed, in order, when Postgres
 * is back — even by the next gateway process, when the one that spooled it was killed
 * meanwhile. And a reply Discord took but the gateway could not record is not sent twice
 * by the next gateway.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createDatabase, type Database, registerThread } from '@gridbot/db';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, messagePayload } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import { freePort } from './support/free-port.ts';
import { type GridbotProcess, spawnGridbot, waitUntilReady } from './support/gridbot-process.ts';
import { PrivatePostgres } from './support/private-postgres.ts';
import { TEST_AGENT_IMAGE } from './support/services.ts';
import { withoutTimes } from './support/telegram-fake.ts';
import { ON_REDIS } from './support/test-mode.ts';
import { createTestRedis, type TestRedis } from './support/test-redis.ts';
import { waitFor } from './support/wait-for.ts';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-spool-tests';
const TEXT = CHANNELS.text.id;

let postgres: PrivatePostgres;
let redis: TestRedis;
let discord: FakeDiscord;
const processes: GridbotProcess[] = [];
const dataDir = `/tmp/gridbot-spool-test-${process.pid}`;

function env(port: number): Record<string, string> {
  return {
    DATABASE_URL: postgres.databaseUrl('gridbot'),
    ...(ON_REDIS && { REDIS_URL: redis.url }),
    QUEUE_PREFIX: redis.prefix,
    HEALTH_PORT: String(port),
    DASHBOARD_PORT: String(port),
    DISCORD_BOT_TOKEN: TOKEN,
    DISCORD_API_BASE: discord.apiBase,
    AGENT_RUNTIME: 'process',
    AGENT_IMAGE: TEST_AGENT_IMAGE,
    HEARTBEAT_MS: '1000',
    DATA_DIR: dataDir,
    WORKSPACE_DIR: `${dataDir}/workspaces`,
    DASHBOARD_TOKEN: 'spool-dashboard-token-0123456789',
  };
}

async function start(args: string[]): Promise<GridbotProcess> {
  const port = await freePort();
  const proc = spawnGridbot(args, env(port));
  processes.push(proc);
  await waitUntilReady(proc, port, 30_000);
  return proc;
}

beforeAll(async () => {
  [postgres, discord] = await Promise.all([
    PrivatePostgres.start(),
    startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1_000 }),
  ]);
  redis = createTestRedis();
  const db = createDatabase({
    connectionString: await postgres.migratedDatabase('gridbot'),
    max: 1,
  });
  await registerThread(db, { jid: `discord:${TEXT}`, title: 'general' });
  await db.destroy();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await Promise.allSettled([postgres?.destroy(), redis?.cleanup(), discord?.close()]);
});

const replies = () => discord.sent.filter((m) => m.channelId === TEXT).map((m) => m.content);

describe('the Discord gateway while Postgres is down', () => {
  it('spools what it cannot commit; the next gateway commits it in order and every message is answered once', async () => {
    const gateway = await start(['gateway', '--channel', 'discord']);
    await start(['worker']);
    discord.dispatchMessage(messagePayload({ content: '@Andy first' }));
    await waitFor('the first reply', () => replies().length === 1, 20_000);

    await postgres.crash();
    discord.dispatchMessage(messagePayload({ content: '@Andy second, while Postgres is down' }));
    discord.dispatchMessage(messagePayload({ content: '@Andy third, while Postgres is down' }));
    await waitFor(
      'both spooled',
      () => gateway.output().includes('spooling inbound events'),
      10_000,
    );
    // Both on disk (the platform counts them as received) before the gateway dies.
    await waitFor('both events in the spool file', async () => {
      const dir = `${dataDir}/spool/discord`;
      const files = await readdir(dir);
      const text = (await Promise.all(files.map((f) => readFile(`${dir}/${f}`, 'utf8')))).join('');
      return text.includes('second, while') && text.includes('third, while');
    });
    // The gateway that spooled them dies before Postgres returns.
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await postgres.start();
    const next = await start(['gateway', '--channel', 'discord']);
    // Health answers before the adapter starts: wait for the adoption itself.
    await waitFor('the spool adopted', () => next.output().includes('adopted the ingress spool'));

    const all = await waitFor(
      'the spooled messages answered',
      () => {
        const texts = replies().join('\n');
        return texts.includes('second, while') && texts.includes('third, while') && replies();
      },
      30_000,
    ).catch((error: Error) => {
      const logs = processes.map((p) => p.output().slice(-4_000)).join('\n-----\n');
      throw new Error(`${error.message}; replies: ${JSON.stringify(replies())}\n${logs}`);
    });
    await waitFor(
      'no spool left',
      async () => (await readdir(`${dataDir}/spool/discord`)).length === 0,
    );
    const texts = all.map(withoutTimes).join('\n');
    expect(texts).toContain('@Andy second, while Postgres is down');
    expect(texts).toContain('@Andy third, while Postgres is down');
    // In order: the second is never answered after the third.
    expect(texts.indexOf('second')).toBeLessThan(texts.lastIndexOf('third'));
    for (const word of ['first', 'second', 'third']) {
      expect(all.filter((t) => t.includes(`@Andy ${word}`)).length).toBeLessThanOrEqual(1);
    }
  });
});

describe('the web chat while Postgres is down', () => {
  it('accepts a message with an image (202), keeps both on disk, and answers it once Postgres is back', async () => {
    const port = await freePort();
    const proc = spawnGridbot(['dashboard'], env(port));
    processes.push(proc);
    await waitUntilReady(proc, port, 30_000);
    const base = `http://127.0.0.1:${port}/api/chat/spooled`;
    const auth = { authorization: 'Bearer spool-dashboard-token-0123456789' };
    await postgres.crash();
    const photo = Buffer.from('\x89PNG\r\n\x1a\n a photo taken while Postgres was down', 'latin1');
    const form = new FormData();
    form.append('text', '@Andy written while Postgres was down');
    form.append('image', new File([photo], 'photo.png', { type: 'image/png' }));
    const res = await fetch(`${base}/messages`, { method: 'POST', headers: auth, body: form });
    expect(res.status).toBe(202);
    await waitFor(
      'the web spool on disk',
      async () => (await readdir(`${dataDir}/spool/web`).catch(() => [])).length > 0,
    );
    await postgres.start();
    const history = await waitFor(
      'the answer in the chat history',
      async () => {
        const body = (await (await fetch(`${base}/messages`, { headers: auth })).json()) as {
          entries: Array<{ role: string; text: string; images?: number[] }>;
        };
        return body.entries.some((e) => e.role === 'assistant') && body.entries;
      },
      30_000,
    );
    const answers = history.filter((e) => e.role === 'assistant');
    expect(answers).toHaveLength(1);
    expect(answers[0]!.text).toContain('written while Postgres was down');
    // The image waited on disk with the message and was taken in when it was committed.
    const [asked] = history.filter((e) => e.role === 'user');
    expect(asked!.images).toHaveLength(1);
    const image = await fetch(`${base}/images/${asked!.images![0]}`, { headers: auth });
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(photo);
    expect(proc.child.exitCode).toBeNull();
  });
});

describe('a Discord reply sent while Postgres went down, its gateway killed before recording it', () => {
  it('is not sent again by the next gateway: the retry carries the same nonce', async () => {
    // One gateway only, so the one killed is the one that sent.
    await Promise.allSettled(processes.splice(0).map((p) => p.stop()));
    const gateway = await start(['gateway', '--channel', 'discord']);
    await start(['worker']);
    const before = replies().length;
    // Discord creates the reply; Postgres dies before the gateway hears back, so it cannot
    // record the send, and the gateway is killed while it waits to.
    discord.afterNextCreate(() => postgres.crash());
    discord.dispatchMessage(messagePayload({ content: '@Andy answer me exactly once' }));
    await waitFor(
      'the send unrecorded',
      () => gateway.output().includes('sent, but Postgres is away'),
      20_000,
    );
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await postgres.start();
    await start(['gateway', '--channel', 'discord']);

    const db: Kysely<Database> = createDatabase({
      connectionString: postgres.databaseUrl('gridbot'),
      max: 1,
    });
    try {
      const row = await waitFor(
        'the reply recorded as sent',
        async () => {
          const rows = await db
            .selectFrom('outbox')
            .select(['status', 'platform_message_ids', 'payload'])
            .execute();
          return rows.find(
            (r) => r.status === 'sent' && r.payload.text.includes('answer me exactly once'),
          );
        },
        45_000,
      );
      const sentNow = replies().slice(before);
      expect(sentNow.filter((text) => text.includes('answer me exactly once'))).toHaveLength(1);
      // The row names the message Discord created the first time.
      const created = discord.sent.filter((m) => m.content.includes('answer me exactly once'));
      expect(row.platform_message_ids).toEqual([created[0]!.id]);
    } finally {
      await db.destroy();
    }
  });
});
