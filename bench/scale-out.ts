/**
 * Scale-out: 1, 2 and 4 worker processes (each WORKER_CONCURRENCY c) running an agent that
 * takes 200 ms, T threads. Each thread sends its next message when the previous one was
 * answered (closed loop: one run per message, no batching), so throughput is bounded by the
 * workers' total concurrency. Then every thread gets a burst of messages at once, and every
 * reply the fake platform received is checked for per-thread order and duplicates.
 *
 *   node bench/scale-out.ts [--workers 1,2,4] [--threads 16] [--messages 5] [--concurrency 2] [--out bench/results/scale-out.json]
 */
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../tests/support/gridbot-process.ts';
import { BenchHarness, benchChats, ReplyWatcher, token } from './harness.ts';
import { round, writeResult } from './lib.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,4' },
    threads: { type: 'string', default: '16' },
    messages: { type: 'string', default: '5' },
    burst: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '2' },
    'agent-ms': { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results/scale-out.json' },
  },
});
const workerCounts = values.workers.split(',').map(Number);
const threads = Number(values.threads);
const perThread = Number(values.messages);
const burst = Number(values.burst);
const agentCommand = `${process.execPath} ${REPO_ROOT}bench/fixtures/slow-agent.mjs`;

interface Step {
  workers: number;
  messages: number;
  seconds: number;
  throughput_msgs_per_s: number;
  order_violations: number;
  duplicate_replies: number;
  missing_replies: number;
}

async function measure(workers: number): Promise<Step> {
  const h = await BenchHarness.create();
  const chats = benchChats(threads);
  const watcher = new ReplyWatcher(h.telegram);
  try {
    await h.registerChats(chats);
    await h.start(['gateway', '--channel', 'telegram']);
    const env = {
      WORKER_CONCURRENCY: values.concurrency,
      AGENT_COMMAND: agentCommand,
      SLOW_AGENT_MS: values['agent-ms'],
    };
    await Promise.all(Array.from({ length: workers }, () => h.start(['worker'], env)));

    // Warm-up: one run per thread.
    await Promise.all(chats.map((chat, t) => h.telegram.say(chat, `@Andy ${token(t, 0)}`)));
    await watcher.waitFor(
      chats.map((_, t) => token(t, 0)),
      60_000,
    );

    const started = performance.now();
    await Promise.all(
      chats.map(async (chat, t) => {
        for (let m = 1; m <= perThread; m++) {
          await h.telegram.say(chat, `@Andy ${token(t, m)}`);
          await watcher.waitFor([token(t, m)], 120_000);
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
          await h.telegram.say(chat, `@Andy ${token(t, m)}`);
        }
      }),
    );
    let missing = 0;
    await watcher.waitFor(burstTokens, 60_000).catch(() => {
      missing = burstTokens.filter((t) => !watcher.seenAt.has(t)).length;
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // late duplicates
    watcher.scan();

    let violations = 0;
    for (const list of watcher.order.values()) {
      const ms = list.map((t) => Number(t.split('m')[1]));
      for (let i = 1; i < ms.length; i++) if (ms[i]! < ms[i - 1]!) violations++;
    }
    const duplicates = [...watcher.count.values()].reduce((sum, n) => sum + (n - 1), 0);
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
    watcher.stop();
    await h.close();
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
    agent_runtime: 'process (warm per worker)',
    ideal_msgs_per_s_per_worker: round(
      (Number(values.concurrency) * 1000) / Number(values['agent-ms']),
    ),
  },
  note: 'Closed loop per thread: one run per message. Efficiency = throughput / (workers × throughput of the first step per worker). Order violations and duplicates are counted over every reply the fake platform received (warm-up, closed loop and burst).',
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
