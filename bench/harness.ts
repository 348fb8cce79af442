/**
 * A standalone pipeline harness for the benchmarks: like tests/support/pipeline-harness.ts,
 * but it creates and migrates its own database (the test template only exists while vitest's
 * global setup runs) and lets a benchmark start several roles with their own settings.
 */

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { migrateToLatest, openEmbeddedDatabase, registerThread } from '../packages/db/src/index.ts';
import { freePort } from '../tests/support/free-port.ts';
import {
  type GridbotCommand,
  type GridbotProcess,
  spawnGridbot,
  waitUntilReady,
} from '../tests/support/gridbot-process.ts';
import { BOT_TOKEN, type ChatSpec, TelegramFake } from '../tests/support/telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from '../tests/support/test-database.ts';
import { createTestRedis, type TestRedis } from '../tests/support/test-redis.ts';

/** How the roles under measure are deployed (see DESIGN.md, "Modes"). */
export type BenchMode = 'redis' | 'postgres-only' | 'embedded';
export const BENCH_MODES: readonly BenchMode[] = ['redis', 'postgres-only', 'embedded'];

export class BenchHarness {
  readonly db: TestDatabase;
  readonly redis: TestRedis;
  readonly telegram: TelegramFake;
  readonly mode: BenchMode;
  readonly processes: GridbotProcess[] = [];

  private constructor(db: TestDatabase, redis: TestRedis, telegram: TelegramFake, mode: BenchMode) {
    this.db = db;
    this.redis = redis;
    this.telegram = telegram;
    this.mode = mode;
  }

  static async create(mode: BenchMode = 'redis'): Promise<BenchHarness> {
    const [db, telegram] = await Promise.all([
      createTestDatabase({ migrated: false }),
      TelegramFake.start(),
    ]);
    await migrateToLatest(db.db);
    return new BenchHarness(db, createTestRedis(), telegram, mode);
  }

  /** The data directory of the roles (the embedded database lives in its `db`). */
  get dataDir(): string {
    return `/tmp/gridbot-bench-data/${this.db.name}`;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.mode !== 'embedded' && { DATABASE_URL: this.db.url }),
      ...(this.mode === 'redis' && { REDIS_URL: this.redis.url }),
      QUEUE_PREFIX: this.redis.prefix,
      LOG_LEVEL: 'info',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: this.telegram.apiRoot,
      TELEGRAM_POLL_IDLE_MS: '10',
      AGENT_RUNTIME: 'process',
      AGENT_IDLE_MS: String(60 * 60_000),
      LLM_PROVIDER: 'echo',
      HEARTBEAT_MS: '1000',
      WORKSPACE_DIR: `/tmp/gridbot-bench-workspaces/${this.db.name}`,
      DATA_DIR: this.dataDir,
      DASHBOARD_TOKEN: 'bench-dashboard-token-0123456789',
      // A load generator, not a person: every message must start a run.
      USER_TRIGGERS_PER_MINUTE: '0',
      ...extra,
    };
  }

  /** Starts `gridbot <args>` on `port` (default: a free one) and waits until it is ready. */
  async start(
    args: string[],
    extra: Record<string, string> = {},
    port?: number,
    command: GridbotCommand = {},
  ): Promise<GridbotProcess> {
    port ??= await freePort();
    const proc = spawnGridbot(
      args,
      this.env({ ...extra, HEALTH_PORT: String(port), DASHBOARD_PORT: String(port) }),
      command,
    );
    this.processes.push(proc);
    await waitUntilReady(proc, port, 30_000);
    return proc;
  }

  /** Registers the chats, in the embedded database when the roles use it (before they start). */
  async registerChats(chats: ChatSpec[]): Promise<void> {
    if (this.mode !== 'embedded') {
      for (const chat of chats)
        await registerThread(this.db.db, { jid: `telegram:${chat.chatId}` });
      return;
    }
    const embedded = await openEmbeddedDatabase(join(this.dataDir, 'db'));
    try {
      await migrateToLatest(embedded.db);
      for (const chat of chats)
        await registerThread(embedded.db, { jid: `telegram:${chat.chatId}` });
    } finally {
      await embedded.close();
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p.stop()));
    await Promise.allSettled([
      this.db.drop(),
      this.redis.cleanup(),
      this.telegram.stop(),
      rm(this.dataDir, { recursive: true, force: true }),
    ]);
  }
}

/** `count` group chats with one user each. */
export function benchChats(count: number, firstChatId = -300000): ChatSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    chatId: firstChatId - i,
    type: 'group' as const,
    title: `Bench ${i}`,
    userId: 900 + i,
    firstName: `User${i}`,
  }));
}

/**
 * Watches the fake's stored bot messages (in-process, every `intervalMs`) and records when
 * each `<token>` first appears in a reply, and how many replies quoted it.
 */
export class ReplyWatcher {
  readonly seenAt = new Map<string, number>();
  readonly count = new Map<string, number>();
  /** Per chat, the tokens in the order replies quoted them. */
  readonly order = new Map<string, string[]>();
  readonly #telegram: TelegramFake;
  #scanned = 0;
  #timer: NodeJS.Timeout;

  constructor(telegram: TelegramFake, intervalMs = 1) {
    this.#telegram = telegram;
    this.#timer = setInterval(() => this.scan(), intervalMs);
  }

  scan(): void {
    const messages = this.#telegram.server.storage.botMessages;
    const now = performance.now();
    for (; this.#scanned < messages.length; this.#scanned++) {
      const m = messages[this.#scanned]!;
      const text = String((m.message as { text?: string }).text ?? '');
      const chat = String(m.message.chat_id);
      for (const match of text.matchAll(/\b(t\d+m\d+)\b/g)) {
        const token = match[1]!;
        if (!this.seenAt.has(token)) this.seenAt.set(token, now);
        this.count.set(token, (this.count.get(token) ?? 0) + 1);
        const list = this.order.get(chat) ?? [];
        list.push(token);
        this.order.set(chat, list);
      }
    }
  }

  async waitFor(tokens: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!tokens.every((t) => this.seenAt.has(t))) {
      if (Date.now() > deadline) {
        const missing = tokens.filter((t) => !this.seenAt.has(t));
        const last = this.#telegram.server.storage.botMessages.at(-1)?.message;
        throw new Error(
          `timed out waiting for replies to ${missing.length} messages (last reply: ${JSON.stringify(last)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** The text of bench message `m` in thread `t`. */
export function token(t: number, m: number): string {
  return `t${t}m${m}`;
}

/** /proc/<pid>/status VmRSS in MB. */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}
