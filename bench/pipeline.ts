/**
 * GridBot end to end with real processes: a Telegram gateway (against telegram-test-api) and
 * a worker running warm process agents with the echo provider. Measures per-message latency
 * (user message stored at the fake → the bot's reply quoting it seen at the fake) one message
 * at a time, then throughput with M messages spread over T threads, against raw BullMQ
 * add → complete measured in the same run on the same Redis.
 *
 *   node bench/pipeline.ts [--threads 10] [--messages 200] [--sequential 50] [--out bench/results/pipeline.json]
 */
import { parseArgs } from 'node:util';
import { measureBaseline } from './baseline.ts';
import { BenchHarness, benchChats, ReplyWatcher, token } from './harness.ts';
import { latencySummary, round, writeResult } from './lib.ts';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '10' },
    messages: { type: 'string', default: '200' },
    sequential: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '8' },
    'baseline-jobs': { type: 'string', default: '2000' },
    out: { type: 'string', default: 'bench/results/pipeline.json' },
  },
});
const threads = Number(values.threads);
const messages = Number(values.messages);
const sequential = Number(values.sequential);
const concurrency = values.concurrency;

const h = await BenchHarness.create();
const baseline = await measureBaseline(h.redis.url, Number(values['baseline-jobs']), 8);
const chats = benchChats(threads);
const watcher = new ReplyWatcher(h.telegram);
try {
  await h.registerChats(chats);
  // The platform's own send limit (25/s by default) would cap throughput: measure the pipeline.
  await h.start(['gateway', '--channel', 'telegram'], { OUTBOUND_RATE_PER_SECOND: '10000' });
  await h.start(['worker'], { WORKER_CONCURRENCY: concurrency });

  // Warm-up: one message per thread starts its agent (kept warm by AGENT_IDLE_MS).
  const warm = chats.map((_, t) => token(t, 0));
  await Promise.all(chats.map((chat, t) => h.telegram.say(chat, `@Andy ${token(t, 0)}`)));
  await watcher.waitFor(warm, 30_000);

  // Sequential: one message at a time, round-robin over the threads.
  const seqLatency: number[] = [];
  const seqStartedAt = new Date();
  for (let i = 0; i < sequential; i++) {
    const t = i % threads;
    const tok = token(t, 1 + Math.floor(i / threads));
    const t0 = performance.now();
    await h.telegram.say(chats[t]!, `@Andy ${tok}`);
    await watcher.waitFor([tok], 30_000);
    seqLatency.push(watcher.seenAt.get(tok)! - t0);
  }
  const runs = await h.db.db
    .selectFrom('agent_runs')
    .select(['started_at', 'finished_at'])
    .where('started_at', '>=', seqStartedAt)
    .where('status', '=', 'succeeded')
    .execute();
  const runMs = runs
    .filter((r) => r.finished_at !== null)
    .map((r) => r.finished_at!.getTime() - r.started_at.getTime());

  // Throughput: M messages over T threads, each thread's messages sent in order.
  const offset = 1 + Math.ceil(sequential / threads);
  const perThread = Math.ceil(messages / threads);
  const sentAt = new Map<string, number>();
  const all: string[] = [];
  const started = performance.now();
  await Promise.all(
    chats.map(async (chat, t) => {
      for (let m = 0; m < perThread; m++) {
        const tok = token(t, offset + m);
        all.push(tok);
        sentAt.set(tok, performance.now());
        await h.telegram.say(chat, `@Andy ${tok}`);
      }
    }),
  );
  await watcher.waitFor(all, 300_000);
  const seconds = (Math.max(...all.map((t) => watcher.seenAt.get(t)!)) - started) / 1000;
  const loadLatency = all.map((t) => watcher.seenAt.get(t)! - sentAt.get(t)!);
  const throughput = all.length / seconds;

  const result = {
    benchmark: 'pipeline',
    date: new Date().toISOString(),
    setup: {
      threads,
      sequential_messages: sequential,
      load_messages: all.length,
      worker_concurrency: Number(concurrency),
      telegram_poll_idle_ms: 10,
      agent_runtime: 'process (warm, AGENT_IDLE_MS 1 h)',
      llm: 'echo',
    },
    note: 'Latency is user message stored at telegram-test-api → bot reply seen there (1 ms scan). It includes the gateway getUpdates poll (≤ 10 ms idle delay + HTTP), the agent run (warm process, echo LLM) and the outbox/egress send. Overhead estimate = end to end − agent run (agent_runs finished_at − started_at, ms resolution). Under load several messages of a thread are answered by one run (batching), so messages/s counts messages answered, not runs.',
    sequential_latency_ms: latencySummary(seqLatency),
    agent_run_ms: latencySummary(runMs),
    overhead_estimate_ms: {
      p50: round(latencySummary(seqLatency).p50 - latencySummary(runMs).p50),
      p99: round(latencySummary(seqLatency).p99 - latencySummary(runMs).p50),
    },
    load_latency_ms: latencySummary(loadLatency),
    throughput_msgs_per_s: round(throughput),
    baseline_bullmq_jobs_per_s: baseline.throughput_jobs_per_s,
    baseline_unloaded_latency_ms: baseline.unloaded_latency_ms,
    throughput_ratio_to_baseline: round(throughput / baseline.throughput_jobs_per_s, 3),
    replies: h.telegram.server.storage.botMessages.length,
    target: { overhead_p50_ms: 5, overhead_p99_ms: 25, throughput_ratio: 0.5 },
  };
  console.table({
    'sequential end to end (ms)': result.sequential_latency_ms,
    'agent run (ms)': result.agent_run_ms,
    'under load end to end (ms)': result.load_latency_ms,
  });
  console.table({
    'GridBot msgs/s': result.throughput_msgs_per_s,
    'raw BullMQ jobs/s (c=8)': result.baseline_bullmq_jobs_per_s,
    ratio: result.throughput_ratio_to_baseline,
    'overhead estimate p50 (ms)': result.overhead_estimate_ms.p50,
    'overhead estimate p99 (ms)': result.overhead_estimate_ms.p99,
  });
  await writeResult(values.out, result);
} finally {
  watcher.stop();
  await h.close();
}
