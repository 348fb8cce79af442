import { parseArgs } from 'node:util';
import { freePort } from '../tests/support/free-port.ts';
import type { GridbotCommand } from '../tests/support/gridbot-process.ts';
import { BenchHarness, benchChats, rssMb, token } from './harness.ts';
import { BUNDLE, benchAgents, buildBundle, PRODUCTION_NODE_ARGS, writeResult } from './lib.ts';
import { tokensOf, WebhookPlatform } from './webhook-platform.ts';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'source,bundle,bundle-production' },
    threads: { type: 'string', default: '10' },
    messages: { type: 'string', default: '200' },
    'settle-ms': { type: 'string', default: '3000' },
    out: { type: 'string', default: 'bench/results/memory.json' },
  },
});
const threads = Number(values.threads);
const perThread = Math.ceil(Number(values.messages) / threads);
const settle = () => new Promise((resolve) => setTimeout(resolve, Number(values['settle-ms'])));
const MODES: Record<string, GridbotCommand> = {
  source: {},
  bundle: { cli: BUNDLE },
  'bundle-production': { cli: BUNDLE, nodeArgs: PRODUCTION_NODE_ARGS },
};

async function measure(mode: string, command: GridbotCommand) {
  const h = await BenchHarness.create();
  const platform = await WebhookPlatform.start();
  const chats = benchChats(threads);
  const seen = new Set<string>();
  platform.onReply((reply) => {
    for (const tok of tokensOf(reply.text)) seen.add(tok);
  });
  try {
    await h.registerChats(chats);
    const port = await freePort();
    const roles = {
      gateway: await h.start(
        ['gateway', '--channel', 'telegram'],
        platform.gatewayEnv(port),
        port,
        command,
      ),
      worker: await h.start(['worker'], {}, undefined, benchAgents(command)),
      scheduler: await h.start(['scheduler'], {}, undefined, command),
      dashboard: await h.start(['dashboard'], {}, undefined, command),
    };
    await settle();
    const idle: Record<string, number> = {};
    for (const [role, proc] of Object.entries(roles)) idle[role] = await rssMb(proc.child.pid!);

    const all: string[] = [];
    await Promise.all(
      chats.map(async (chat, t) => {
        for (let m = 0; m < perThread; m++) {
          all.push(token(t, m));
          await platform.say(chat, `@Andy ${token(t, m)}`);
        }
      }),
    );
    const deadline = Date.now() + 120_000;
    while (all.some((tok) => !seen.has(tok))) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the replies');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const busy: Record<string, number> = {};
    for (const [role, proc] of Object.entries(roles)) busy[role] = await rssMb(proc.child.pid!);
    await settle();
    const after: Record<string, number> = {};
    for (const [role, proc] of Object.entries(roles)) after[role] = await rssMb(proc.child.pid!);
    return Object.keys(roles).map((role) => ({
      mode,
      role,
      idle_mb: idle[role]!,
      after_burst_mb: busy[role]!,
      settled_after_burst_mb: after[role]!,
    }));
  } finally {
    await h.close();
    await platform.close();
  }
}

const modes = values.modes.split(',');
if (modes.some((mode) => mode.startsWith('bundle'))) {
  buildBundle();
}
const rows = [];
for (const mode of modes) {
  const command = MODES[mode];
  if (!command) throw new Error(`unknown mode ${mode}: use ${Object.keys(MODES).join(', ')}`);
  rows.push(...(await measure(mode, command)));
}
console.table(rows);
await writeResult(values.out, {
  benchmark: 'memory',
  date: new Date().toISOString(),
  setup: {
    threads,
    messages: threads * perThread,
    settle_ms: Number(values['settle-ms']),
    modes: Object.fromEntries(modes.map((m) => [m, MODES[m]])),
  },
  note: 'VmRSS of each role process. The worker runs bench-inprocess agents (no separate agent processes); the dashboard serves no browser during the run.',
  rss: rows,
  target: { idle_mb: 100 },
});
