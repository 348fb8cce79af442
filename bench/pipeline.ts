/**
 * GridBot end to end with real processes: a Telegram gateway in webhook mode (updates POSTed
 * as Telegram does; replies received by a minimal Bot API) and a worker whose agents are
 * `bench-inprocess`, which answer at once inside the worker and stamp when `initialize`
 * reached them and when they finished. So the pipeline's own overhead is measured directly:
 *
 *   in  = update POSTed to the webhook → agent input   (store, decide, queue, lease, context)
 *   out = agent output → sendMessage at the platform   (commit, outbox, egress, HTTP)
 *
 * one message at a time, then throughput with M messages over T threads against raw BullMQ
 * add → complete measured in the same run on the same backend: Redis, Postgres (the
 * Postgres-only mode), or the embedded database (`--mode embedded`: one `gridbot start`
 * process; the baseline on an in-memory embedded database of the benchmark's own).
 *
 *   node bench/pipeline.ts [--mode redis|postgres-only|embedded] [--threads 20] [--messages 2000] [--sequential 200] [--concurrency 8] [--cpu-prof DIR] [--node-args=--liftoff-only] [--trace] [--out bench/results/pipeline.json]
 *
 * `--trace` turns OpenTelemetry on in every role, exporting to an OTLP receiver in this
 * process (OTLP/JSON), to weigh what one trace per message costs against a run without;
 * `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG` in this process's environment pass on.
 *
 * `--cpu-prof DIR` writes V8 CPU profiles of the gateway and the worker into DIR/gateway and
 * DIR/worker (summarize them with `node bench/profile-summary.ts DIR/worker/*.cpuprofile`).
 */
import { parseArgs } from 'node:util';
import { openEmbeddedDatabase } from '../packages/db/src/index.ts';
import { createBullmqPool, PostgresTransport } from '../packages/queue/src/index.ts';
import { startFakeOtlp } from '../tests/support/fake-otlp.ts';
import { freePort } from '../tests/support/free-port.ts';
import { measureBaseline, measureBaselineOn } from './baseline.ts';
import { BENCH_MODES, BenchHarness, type BenchMode, benchChats, token } from './harness.ts';
import { benchAgents, cpuMeter, latencySummary, pidsNamed, round, writeResult } from './lib.ts';
import { agentTimes, tokensOf, WebhookPlatform } from './webhook-platform.ts';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '20' },
    messages: { type: 'string', default: '2000' },
    sequential: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    'baseline-jobs': { type: 'string', default: '5000' },
    'cpu-prof': { type: 'string' },
    mode: { type: 'string', default: 'redis' },
    // Node flags for every role, space-separated (e.g. "--liftoff-only" for the embedded mode).
    'node-args': { type: 'string', default: '' },
    trace: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/pipeline.json' },
  },
});
const threads = Number(values.threads);
const messages = Number(values.messages);
const sequential = Number(values.sequential);
const concurrency = values.concurrency;
const mode = values.mode as BenchMode;
const nodeArgs = { nodeArgs: values['node-args'].split(/\s+/).filter(Boolean) };
if (!BENCH_MODES.includes(mode)) throw new Error(`--mode must be one of ${BENCH_MODES.join(', ')}`);
/** NODE_OPTIONS that make a role write a CPU profile when it exits, or nothing. */
const profiled = (role: string): Record<string, string> =>
  values['cpu-prof']
    ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values['cpu-prof']}/${role}` }
    : {};

/** Resolves with the reply quoting `tok`. */
function replyTo(platform: WebhookPlatform, tok: string, timeoutMs = 30_000) {
  return new Promise<{ text: string; at: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no reply quoting ${tok} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = platform.onReply((reply) => {
      if (!tokensOf(reply.text).includes(tok)) return;
      clearTimeout(timer);
      off();
      resolve(reply);
    });
  });
}

/** Raw BullMQ on the backend the mode uses. */
async function baselineOfMode(h: BenchHarness, jobs: number) {
  if (mode === 'redis') return measureBaseline(h.redis.url, jobs, 8);
  const embedded = mode === 'embedded' ? await openEmbeddedDatabase('memory://') : null;
  const pool =
    embedded?.pool ?? createBullmqPool({ connectionString: h.db.url, applicationName: 'baseline' });
  const transport = await PostgresTransport.open({ pool, ownsPool: embedded === null });
  try {
    return await measureBaselineOn(transport, jobs, 8);
  } finally {
    await transport.close();
    await embedded?.close();
  }
}

const otlp = values.trace ? await startFakeOtlp() : null;
/** The roles' OpenTelemetry settings with `--trace` (exported every 500 ms), or nothing. */
const traced: Record<string, string> = otlp
  ? {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '500',
      // Sampling as an operator would set it, e.g. parentbased_traceidratio with 0.1.
      ...(process.env.OTEL_TRACES_SAMPLER && {
        OTEL_TRACES_SAMPLER: process.env.OTEL_TRACES_SAMPLER,
        OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG ?? '',
      }),
    }
  : {};
const h = await BenchHarness.create(mode);
const platform = await WebhookPlatform.start();
const baseline = await baselineOfMode(h, Number(values['baseline-jobs']));
const chats = benchChats(threads);
try {
  await h.registerChats(chats);
  const gatewayPort = await freePort();
  const workerEnv = { WORKER_CONCURRENCY: concurrency, ...traced };
  // The embedded mode is one process (it owns the database); the others a gateway and a worker.
  const gateway = await h.start(
    mode === 'embedded' ? ['start'] : ['gateway', '--channel', 'telegram'],
    {
      ...platform.gatewayEnv(gatewayPort),
      ...traced,
      ...(mode === 'embedded' && workerEnv),
      ...profiled('gateway'),
    },
    gatewayPort,
    mode === 'embedded' ? benchAgents(nodeArgs) : nodeArgs,
  );
  const worker =
    mode === 'embedded'
      ? null
      : await h.start(
          ['worker'],
          { ...workerEnv, ...profiled('worker') },
          undefined,
          benchAgents(nodeArgs),
        );
  const cpu = cpuMeter({
    ...(worker
      ? {
          gateway: async () => [gateway.child.pid!],
          worker: async () => [worker.child.pid!],
          'postgres (all backends)': () => pidsNamed('postgres'),
        }
      : { 'gridbot start (embedded database inside)': async () => [gateway.child.pid!] }),
    ...(mode === 'redis' && { redis: () => pidsNamed('redis-server') }),
    'benchmark (fake platform)': async () => [process.pid],
  });

  // Warm-up: one message per thread (JIT, connection pools, each thread's agent).
  await Promise.all(
    chats.map(async (chat, t) => {
      const answered = replyTo(platform, token(t, 0));
      await platform.say(chat, `@Andy ${token(t, 0)}`);
      await answered;
    }),
  );

  // Sequential: one message at a time, round-robin over the threads.
  const total: number[] = [];
  const overheadIn: number[] = [];
  const overheadOut: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < sequential; i++) {
    const t = i % threads;
    const tok = token(t, 1 + Math.floor(i / threads));
    const answered = replyTo(platform, tok);
    const sentAt = await platform.say(chats[t]!, `@Andy ${tok}`);
    const reply = await answered;
    const agent = agentTimes(reply.text);
    if (!agent) throw new Error(`reply without agent times: ${reply.text}`);
    total.push(reply.at - sentAt);
    overheadIn.push(agent.in - sentAt);
    overheadOut.push(reply.at - agent.out);
    overhead.push(agent.in - sentAt + (reply.at - agent.out));
  }

  // Throughput: M messages over T threads; each thread's updates arrive in order, one after
  // the other (as Telegram delivers them), all threads at once.
  const offset = 1 + Math.ceil(sequential / threads);
  const perThread = Math.ceil(messages / threads);
  const expected = new Set<string>();
  const seenAt = new Map<string, number>();
  const off = platform.onReply((reply) => {
    for (const tok of tokensOf(reply.text)) if (!seenAt.has(tok)) seenAt.set(tok, reply.at);
  });
  const repliesBefore = platform.replies.length;
  const sentAt = new Map<string, number>();
  await cpu.start();
  const started = performance.timeOrigin + performance.now();
  await Promise.all(
    chats.map(async (chat, t) => {
      for (let m = 0; m < perThread; m++) {
        const tok = token(t, offset + m);
        expected.add(tok);
        sentAt.set(tok, await platform.say(chat, `@Andy ${tok}`));
      }
    }),
  );
  const deadline = Date.now() + 300_000;
  while ([...expected].some((tok) => !seenAt.has(tok))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the load replies');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  off();
  const cpuDuringLoad = await cpu.stop();
  const seconds = (Math.max(...seenAt.values()) - started) / 1000;
  const throughput = expected.size / seconds;
  const loadLatency = [...expected].map((tok) => seenAt.get(tok)! - sentAt.get(tok)!);
  const loadReplies = platform.replies.length - repliesBefore;

  const result = {
    benchmark: 'pipeline',
    date: new Date().toISOString(),
    setup: {
      mode,
      node_args: nodeArgs.nodeArgs,
      traced: otlp !== null,
      threads,
      sequential_messages: sequential,
      load_messages: expected.size,
      worker_concurrency: Number(concurrency),
      platform: 'Telegram webhook (POSTed updates) + minimal Bot API for sendMessage',
      agent_runtime: 'bench-inprocess (answers at once inside the worker; benchmarks only)',
    },
    note: 'overhead = (agent input − update POSTed) + (sendMessage received − agent output), wall clock across processes (performance.timeOrigin + now). Under load a run answers every message of its thread that is waiting, so messages/s counts messages answered (replies sent in load_replies).',
    sequential_total_ms: latencySummary(total),
    overhead_ms: latencySummary(overhead),
    overhead_in_ms: latencySummary(overheadIn),
    overhead_out_ms: latencySummary(overheadOut),
    load_latency_ms: latencySummary(loadLatency),
    load_replies: loadReplies,
    load_seconds: round(seconds, 2),
    load_cpu_seconds: cpuDuringLoad,
    throughput_msgs_per_s: round(throughput),
    baseline_bullmq_jobs_per_s: baseline.throughput_jobs_per_s,
    baseline_unloaded_latency_ms: baseline.unloaded_latency_ms,
    throughput_ratio_to_baseline: round(throughput / baseline.throughput_jobs_per_s, 3),
    ...(otlp && { spans_received: otlp.spans.length }),
    target: { overhead_p50_ms: 5, overhead_p99_ms: 25, throughput_ratio: 0.5 },
  };
  console.table({
    'overhead (ms)': result.overhead_ms,
    '  update → agent input': result.overhead_in_ms,
    '  agent output → platform send': result.overhead_out_ms,
    'under load, update → reply (ms)': result.load_latency_ms,
  });
  console.table({
    'GridBot msgs/s': result.throughput_msgs_per_s,
    [`raw BullMQ jobs/s (c=8, ${mode === 'redis' ? 'Redis' : mode === 'embedded' ? 'embedded database' : 'Postgres'})`]:
      result.baseline_bullmq_jobs_per_s,
    ratio: result.throughput_ratio_to_baseline,
    'replies sent under load': loadReplies,
  });
  console.table(
    Object.fromEntries(
      Object.entries(cpuDuringLoad).map(([k, v]) => [
        k,
        { 'cpu s': v, 'cores busy': round(v / seconds, 2) },
      ]),
    ),
  );
  await writeResult(values.out, result);
} finally {
  await h.close();
  await platform.close();
  await otlp?.close();
}
