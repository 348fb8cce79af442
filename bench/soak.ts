import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../tests/support/free-port.ts';
import type { GridbotCommand } from '../tests/support/gridbot-process.ts';
import { BenchHarness, benchChats, rssMb, token } from './harness.ts';
import {
  BUNDLE,
  benchAgents,
  buildBundle,
  PRODUCTION_NODE_ARGS,
  round,
  writeResult,
} from './lib.ts';
import { tokensOf, WebhookPlatform } from './webhook-platform.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    threads: { type: 'string', default: '50' },
    checkpoint: { type: 'string', default: '1000' },
    'settle-ms': { type: 'string', default: '60000' },
    /** Run the roles from the production bundle with the image's Node flags (PRODUCTION_NODE_ARGS). */
    bundle: { type: 'boolean', default: false },
    /** Extra Node flags for the bundled roles (e.g. `--max-old-space-size=128`), to compare. */
    'node-arg': { type: 'string', multiple: true, default: [] },
    /** Write heap snapshots of both roles at the checkpoint and after settling (finding a leak). */
    'snapshot-dir': { type: 'string' },
    out: { type: 'string', default: 'bench/results/soak.json' },
  },
});
const messages = Number(values.messages);
const threads = Number(values.threads);
const checkpoint = Math.min(Number(values.checkpoint), messages);
const settleMs = Number(values['settle-ms']);
const snapshotDir = values['snapshot-dir'];
/** The roles' extra environment: heap snapshots on SIGUSR2 (a full GC first) into the dir. */
const roleEnv: Record<string, string> = {
  ...(snapshotDir && {
    NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`,
  }),
  // The allocator's settings pass through (glibc's MALLOC_* tunables, or LD_PRELOAD of
  // another malloc), to compare how each holds native memory.
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name.startsWith('MALLOC_') || name === 'LD_PRELOAD' || name === 'GLIBC_TUNABLES',
    ),
  ),
};

/**
 * Memory of a process that counts in its RSS but the kernel takes back whenever it needs it
 * (pages freed with MADV_FREE, as V8 and allocators do), in MB.
 */
async function lazyFreeMb(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  return round(Number(/LazyFree:\s+(\d+)/.exec(rollup)?.[1] ?? 0) / 1024);
}

if (values.bundle) buildBundle();
const command: GridbotCommand = values.bundle
  ? { cli: BUNDLE, nodeArgs: [...PRODUCTION_NODE_ARGS, ...values['node-arg']] }
  : {};

const h = await BenchHarness.create();
const platform = await WebhookPlatform.start();
const chats = benchChats(threads, -400_000);
try {
  await h.registerChats(chats);
  const gatewayPort = await freePort();
  const gateway = await h.start(
    ['gateway', '--channel', 'telegram'],
    { ...platform.gatewayEnv(gatewayPort), ...roleEnv },
    gatewayPort,
    command,
  );
  const workerPort = await freePort();
  const worker = await h.start(
    ['worker'],
    { WORKER_CONCURRENCY: '8', ...roleEnv },
    workerPort,
    benchAgents(command),
  );
  const roles = {
    gateway: { pid: gateway.child.pid!, port: gatewayPort },
    worker: { pid: worker.child.pid!, port: workerPort },
  };
  const sample = async () =>
    Object.fromEntries(
      await Promise.all(Object.entries(roles).map(async ([k, role]) => [k, await rssMb(role.pid)])),
    ) as Record<string, number>;
  /** One gauge (MB) from a role's /metrics text; `space` picks a heap space's series. */
  const gauge = (text: string, name: string, space?: string) => {
    const labels = space ? `\\{[^}]*space="${space}"[^}]*\\}` : '(?:\\{[^}]*\\})?';
    const match = new RegExp(`^gridbot_${name}${labels} (\\S+)`, 'm').exec(text);
    return round(Number(match?.[1]) / 1024 / 1024);
  };
  /**
   * Where each role's memory is, from its own /metrics: the V8 heap in use and committed,
   * the committed size of the spaces that grow, and memory outside the heap (buffers).
   * RSS beyond these is the allocator's and the code's, less what is lazily freed.
   */
  const heap = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(roles).map(async ([k, role]) => {
          const text = await (await fetch(`http://127.0.0.1:${role.port}/metrics`)).text();
          return [
            k,
            {
              used: gauge(text, 'nodejs_heap_size_used_bytes'),
              committed: gauge(text, 'nodejs_heap_size_total_bytes'),
              old_space: gauge(text, 'nodejs_heap_space_size_total_bytes', 'old'),
              new_space: gauge(text, 'nodejs_heap_space_size_total_bytes', 'new'),
              code_space: gauge(text, 'nodejs_heap_space_size_total_bytes', 'code'),
              large_objects: gauge(text, 'nodejs_heap_space_size_total_bytes', 'large_object'),
              external: gauge(text, 'nodejs_external_memory_bytes'),
              lazy_free: await lazyFreeMb(role.pid),
            },
          ];
        }),
      ),
    ) as Record<string, Record<string, number>>;
  let heapAtCheckpoint: Record<string, Record<string, number>> = {};
  /** RSS each time another `checkpoint` messages were answered: a leak keeps climbing. */
  const progression: Array<Record<string, number>> = [];
  let lastStep = 0;

  const answered = new Set<string>();
  let atCheckpoint: Record<string, number> | null = null;
  const checkpointReached = new Promise<void>((resolve) => {
    platform.onReply((reply) => {
      for (const tok of tokensOf(reply.text)) answered.add(tok);
      const step = Math.floor(answered.size / checkpoint) * checkpoint;
      if (step > lastStep) {
        lastStep = step;
        void sample().then((rss) => progression.push({ answered: step, ...rss }));
      }
      if (answered.size >= checkpoint && atCheckpoint === null) {
        atCheckpoint = {};
        void Promise.all([sample(), heap()]).then(([rss, used]) => {
          atCheckpoint = rss;
          heapAtCheckpoint = used;
          if (snapshotDir)
            for (const role of Object.values(roles)) process.kill(role.pid, 'SIGUSR2');
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
  const [atEnd, heapAtEnd] = await Promise.all([sample(), heap()]);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const [settled, heapSettled] = await Promise.all([sample(), heap()]);
  if (snapshotDir) {
    for (const role of Object.values(roles)) process.kill(role.pid, 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  const checkpointRss = atCheckpoint as unknown as Record<string, number>;
  const growth = Object.fromEntries(
    Object.keys(roles).map((k) => [k, round(settled[k]! / checkpointRss[k]! - 1, 3)]),
  );
  const result = {
    benchmark: 'soak',
    date: new Date().toISOString(),
    setup: {
      messages: expected,
      threads,
      checkpoint,
      settle_ms: settleMs,
      roles_from: values.bundle ? 'production bundle' : 'sources',
      ...(values.bundle && { node_args: command.nodeArgs }),
    },
    seconds: round(seconds, 1),
    msgs_per_s: round(expected / seconds),
    rss_mb: { after_checkpoint: checkpointRss, at_end: atEnd, after_settle: settled },
    rss_mb_by_answered: progression,
    heap_mb: {
      after_checkpoint: heapAtCheckpoint,
      at_end: heapAtEnd,
      after_settle: heapSettled,
    },
    growth_after_settle_vs_checkpoint: growth,
    leak_suspected: Object.values(growth).some((g) => g > 0.2),
    target: { growth: 0.2 },
  };
  console.table(result.rss_mb);
  console.table(progression);
  for (const [when, roles] of Object.entries(result.heap_mb)) {
    console.log(`heap (MB) ${when}`);
    console.table(roles);
  }
  console.table({ growth, 'msgs/s': { value: result.msgs_per_s } });
  await writeResult(values.out, result);
} finally {
  await h.close();
  await platform.close();
}
