/**
 * Scale-out: 1, 2 and 4 worker processes (each WORKER_CONCURRENCY c) whose agents take
 * 200 ms (`bench-inprocess` with BENCH_AGENT_DELAY_MS: a slow agent that costs no CPU, so
 * the machine's two cores are left to GridBot), T threads, one Telegram gateway in webhook
 * mode. Each thread sends its next message when the previous one was answered (closed loop:
 * one run per message), so throughput is bounded by the workers' total concurrency. Then
 * every thread gets a burst of messages at once, and every reply the platform received is
 * checked for per-thread order and duplicates.
 *
 *   node bench/scale-out.ts [--workers 1,2,4] [--threads 200] [--messages 3] [--burst 3] [--concurrency 4] [--out bench/results/scale-out.json]
 */
import { parseArgs } from 'node:util';
import { freePort } from '../tests/support/free-port.ts';
import { BenchHarness, benchChats, token } from './harness.ts';
import { benchAgents, round, writeResult } from './lib.ts';
import { tokensOf, WebhookPlatform } from './webhook-platform.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,4' },
    threads: { type: 'string', default: '200' },
    messages: { type: 'string', default: '3' },
    burst: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
    'agent-ms': { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results/scale-out.json' },
  },
});
const workerCounts = values.workers.split(',').map(Number);
const threads = Number(values.threads);
const perThread = Number(values.messages);
const burst = Number(values.burst);

interface Step {
  workers: number;
  messages: number;
  seconds: number;
  throughput_msgs_per_s: number;
  order_violations: number;
  duplicate_replies: number;
  missing_replies: number;
}

/** Records, per chat, the tokens replies quoted, in the order the platform received them. */
class ReplyLog {
  readonly order = new Map<number, string[]>();
  readonly count = new Map<string, number>();
  readonly #waiters = new Map<string, () => void>();

  constructor(platform: WebhookPlatform) {
    platform.onReply((reply) => {
      for (const tok of tokensOf(reply.text)) {
        this.count.set(tok, (this.count.get(tok) ?? 0) + 1);
        const list = this.order.get(reply.chatId) ?? [];
        list.push(tok);
        this.order.set(reply.chatId, list);
        this.#waiters.get(tok)?.();
        this.#waiters.delete(tok);
      }
    });
  }

  seen(tok: string): boolean {
    return this.count.has(tok);
  }

  wait(tok: string, timeoutMs: number): Promise<void> {
    if (this.seen(tok)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${tok}`)), timeoutMs);
      this.#waiters.set(tok, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

async function measure(workers: number): Promise<Step> {
  const h = await BenchHarness.create();
  const platform = await WebhookPlatform.start();
  const log = new ReplyLog(platform);
  const chats = benchChats(threads);
  try {
    await h.registerChats(chats);
    const port = await freePort();
    await h.start(['gateway', '--channel', 'telegram'], platform.gatewayEnv(port), port);
    const env = {
      WORKER_CONCURRENCY: values.concurrency,
      BENCH_AGENT_DELAY_MS: values['agent-ms'],
    };
    await Promise.all(
      Array.from({ length: workers }, () => h.start(['worker'], env, undefined, benchAgents())),
    );

    // Warm-up: one run per thread.
    await Promise.all(
      chats.map(async (chat, t) => {
        await platform.say(chat, `@Andy ${token(t, 0)}`);
        await log.wait(token(t, 0), 120_000);
      }),
    );

    const started = performance.now();
    await Promise.all(
      chats.map(async (chat, t) => {
        for (let m = 1; m <= perThread; m++) {
          await platform.say(chat, `@Andy ${token(t, m)}`);
          await log.wait(token(t, m), 120_000);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    // Burst: every thread's next messages at once; checked for order, not timed.
    const burstTokens: string[] = [];
    await Promise.all(
      chats.map(async (chat, t) => {
        for (let m = perThread + 1; m <= perThread + burst; m++) {
          burstTokens.push(token(t, m));
          await platform.say(chat, `@Andy ${token(t, m)}`);
        }
      }),
    );
    const deadline = Date.now() + 120_000;
    while (burstTokens.some((tok) => !log.seen(tok)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const missing = burstTokens.filter((tok) => !log.seen(tok)).length;
    await new Promise((resolve) => setTimeout(resolve, 500)); // late duplicates

    let violations = 0;
    for (const list of log.order.values()) {
      const ms = list.map((tok) => Number(tok.split('m')[1]));
      for (let i = 1; i < ms.length; i++) if (ms[i]! < ms[i - 1]!) violations++;
    }
    const duplicates = [...log.count.values()].reduce((sum, n) => sum + (n - 1), 0);
    const messages = threads * perThread;
    return {
      workers,
      messages,
      seconds: round(seconds, 2),
      throughput_msgs_per_s: round(messages / seconds),
      order_violations: violations,
      duplicate_replies: duplicates,
      missing_replies: missing,
    };
  } finally {
    await h.close();
    await platform.close();
  }
}

const steps: Step[] = [];
for (const workers of workerCounts) steps.push(await measure(workers));
const one = steps[0]!;
const rows = steps.map((s) => ({
  ...s,
  efficiency_vs_linear: round(
    s.throughput_msgs_per_s / ((one.throughput_msgs_per_s * s.workers) / one.workers),
    3,
  ),
}));
const result = {
  benchmark: 'scale-out',
  date: new Date().toISOString(),
  setup: {
    threads,
    messages_per_thread_closed_loop: perThread,
    burst_per_thread: burst,
    worker_concurrency: Number(values.concurrency),
    agent_ms: Number(values['agent-ms']),
    agent_runtime: 'bench-inprocess with BENCH_AGENT_DELAY_MS (benchmarks only)',
    platform: 'Telegram webhook + minimal Bot API',
    ideal_msgs_per_s_per_worker: round(
      (Number(values.concurrency) * 1000) / Number(values['agent-ms']),
    ),
  },
  note: 'Closed loop per thread: one run per message. Efficiency = throughput / (workers × throughput of the first step per worker). Order violations and duplicates are counted over every reply the platform received (warm-up, closed loop and burst).',
  steps: rows,
  target: { efficiency_vs_linear: 0.9, order_violations: 0, duplicate_replies: 0 },
};
console.table(
  rows.map((r) => ({
    workers: r.workers,
    messages: r.messages,
    s: r.seconds,
    'msgs/s': r.throughput_msgs_per_s,
    efficiency: r.efficiency_vs_linear,
    violations: r.order_violations,
    duplicates: r.duplicate_replies,
    missing: r.missing_replies,
  })),
);
await writeResult(values.out, result);
