/**
 * Soak: many messages through a real Telegram gateway (webhook mode) and worker, watching
 * each role's resident memory for a leak. RSS is read after the first `--checkpoint`
 * messages were answered, at the end, and after `--settle-ms` of idling; the verdict
 * compares the settled RSS with the checkpoint (within 20 % means no leak).
 *
 *   node bench/soak.ts [--messages 10000] [--threads 50] [--checkpoint 1000] [--settle-ms 60000] [--out bench/results/soak.json]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../tests/support/free-port.ts';
import { BenchHarness, benchChats, token } from './harness.ts';
import { round, writeResult } from './lib.ts';
import { tokensOf, WebhookPlatform } from './webhook-platform.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    threads: { type: 'string', default: '50' },
    checkpoint: { type: 'string', default: '1000' },
    'settle-ms': { type: 'string', default: '60000' },
    out: { type: 'string', default: 'bench/results/soak.json' },
  },
});
const messages = Number(values.messages);
const threads = Number(values.threads);
const checkpoint = Math.min(Number(values.checkpoint), messages);
const settleMs = Number(values['settle-ms']);

/** Resident set size of a process, in MB. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024);
}

const h = await BenchHarness.create();
const platform = await WebhookPlatform.start();
const chats = benchChats(threads, -400_000);
try {
  await h.registerChats(chats);
  const gatewayPort = await freePort();
  const gateway = await h.start(
    ['gateway', '--channel', 'telegram'],
    platform.gatewayEnv(gatewayPort),
    gatewayPort,
  );
  const worker = await h.start(['worker'], {
    WORKER_CONCURRENCY: '8',
    AGENT_RUNTIME: 'bench-inprocess',
  });
  const roles = { gateway: gateway.child.pid!, worker: worker.child.pid! };
  const sample = async () =>
    Object.fromEntries(
      await Promise.all(Object.entries(roles).map(async ([k, pid]) => [k, await rssMb(pid)])),
    ) as Record<string, number>;

  const answered = new Set<string>();
  let atCheckpoint: Record<string, number> | null = null;
  const checkpointReached = new Promise<void>((resolve) => {
    platform.onReply((reply) => {
      for (const tok of tokensOf(reply.text)) answered.add(tok);
      if (answered.size >= checkpoint && atCheckpoint === null) {
        atCheckpoint = {};
        void sample().then((rss) => {
          atCheckpoint = rss;
          resolve();
        });
      }
    });
  });
  const started = Date.now();
  // Message i goes to thread i % threads; each thread's messages arrive one after the other.
  await Promise.all(
    chats.map(async (chat, t) => {
      for (let m = 0; t + m * threads < messages; m++) {
        await platform.say(chat, `@Andy ${token(t, m)}`);
      }
    }),
  );
  await checkpointReached;
  const deadline = Date.now() + 600_000;
  const expected = messages;
  while (answered.size < expected) {
    if (Date.now() > deadline) throw new Error(`only ${answered.size} of ${expected} answered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  const atEnd = await sample();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const settled = await sample();
  const checkpointRss = atCheckpoint as unknown as Record<string, number>;
  const growth = Object.fromEntries(
    Object.keys(roles).map((k) => [k, round(settled[k]! / checkpointRss[k]! - 1, 3)]),
  );
  const result = {
    benchmark: 'soak',
    date: new Date().toISOString(),
    setup: { messages: expected, threads, checkpoint, settle_ms: settleMs },
    seconds: round(seconds, 1),
    msgs_per_s: round(expected / seconds),
    rss_mb: { after_checkpoint: checkpointRss, at_end: atEnd, after_settle: settled },
    growth_after_settle_vs_checkpoint: growth,
    leak_suspected: Object.values(growth).some((g) => g > 0.2),
    target: { growth: 0.2 },
  };
  console.table(result.rss_mb);
  console.table({ growth, 'msgs/s': { value: result.msgs_per_s } });
  await writeResult(values.out, result);
} finally {
  await h.close();
  await platform.close();
}
