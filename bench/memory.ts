/**
 * Memory: VmRSS (/proc/<pid>/status) of a gateway, a worker and a scheduler process, idle
 * (after startup settles) and after a burst of messages (echo provider, process agents: the
 * agents' own processes are not counted).
 *
 *   node bench/memory.ts [--threads 10] [--messages 100] [--settle-ms 3000] [--out bench/results/memory.json]
 */
import { parseArgs } from 'node:util';
import { BenchHarness, benchChats, ReplyWatcher, rssMb, token } from './harness.ts';
import { writeResult } from './lib.ts';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '10' },
    messages: { type: 'string', default: '100' },
    'settle-ms': { type: 'string', default: '3000' },
    out: { type: 'string', default: 'bench/results/memory.json' },
  },
});
const threads = Number(values.threads);
const perThread = Math.ceil(Number(values.messages) / threads);
const settle = () => new Promise((resolve) => setTimeout(resolve, Number(values['settle-ms'])));

const h = await BenchHarness.create();
const chats = benchChats(threads);
const watcher = new ReplyWatcher(h.telegram);
try {
  await h.registerChats(chats);
  const roles = {
    gateway: await h.start(['gateway', '--channel', 'telegram']),
    worker: await h.start(['worker']),
    scheduler: await h.start(['scheduler']),
  };
  await settle();
  const idle: Record<string, number> = {};
  for (const [role, proc] of Object.entries(roles)) idle[role] = await rssMb(proc.child.pid!);

  const all: string[] = [];
  await Promise.all(
    chats.map(async (chat, t) => {
      for (let m = 0; m < perThread; m++) {
        all.push(token(t, m));
        await h.telegram.say(chat, `@Andy ${token(t, m)}`);
      }
    }),
  );
  await watcher.waitFor(all, 120_000);
  const busy: Record<string, number> = {};
  for (const [role, proc] of Object.entries(roles)) busy[role] = await rssMb(proc.child.pid!);
  await settle();
  const after: Record<string, number> = {};
  for (const [role, proc] of Object.entries(roles)) after[role] = await rssMb(proc.child.pid!);

  const rows = Object.keys(roles).map((role) => ({
    role,
    idle_mb: idle[role]!,
    after_burst_mb: busy[role]!,
    settled_after_burst_mb: after[role]!,
  }));
  console.table(rows);
  await writeResult(values.out, {
    benchmark: 'memory',
    date: new Date().toISOString(),
    setup: { threads, messages: all.length, settle_ms: Number(values['settle-ms']) },
    note: 'VmRSS of the role process itself (node running the .ts sources directly); process agents are separate processes and not counted.',
    rss: rows,
    target: { idle_mb: 100 },
  });
} finally {
  watcher.stop();
  await h.close();
}
