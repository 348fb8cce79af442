/**
 * `gridbot start` in the embedded mode, as a newcomer runs it (no DATABASE_URL, no REDIS_URL,
 * no Docker engine): seconds from launch to `/readyz`, first on a clean DATA_DIR (the
 * embedded database is created) and then again on the same one (warm), and the process's
 * RSS after a settle, idle. From the sources and from the production bundle.
 *
 *   node bench/embedded-start.ts [--runs 3] [--settle-ms 5000] [--modes source,bundle-production,bundle-liftoff] [--out bench/results/embedded-start.json]
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../tests/support/free-port.ts';
import {
  type GridbotCommand,
  REPO_ROOT,
  spawnGridbot,
  waitUntilReady,
} from '../tests/support/gridbot-process.ts';
import { rssMb } from './harness.ts';
import { PRODUCTION_NODE_ARGS, round, writeResult } from './lib.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '5000' },
    modes: { type: 'string', default: 'source,bundle-production' },
    out: { type: 'string', default: 'bench/results/embedded-start.json' },
  },
});
const runs = Number(values.runs);
const settleMs = Number(values['settle-ms']);
const BUNDLE = `${REPO_ROOT}apps/cli/dist/gridbot.mjs`;
const MODES: Record<string, GridbotCommand> = {
  source: {},
  'bundle-production': { cli: BUNDLE, nodeArgs: PRODUCTION_NODE_ARGS },
  // V8's baseline WebAssembly compiler only: PGlite's Postgres is never compiled twice.
  'bundle-liftoff': { cli: BUNDLE, nodeArgs: [...PRODUCTION_NODE_ARGS, '--liftoff-only'] },
};
const modes = values.modes.split(',');
if (modes.includes('bundle-production'))
  execFileSync(process.execPath, [`${REPO_ROOT}apps/cli/bundle.ts`], { stdio: 'inherit' });

/** One start on `dataDir`: seconds to ready, and RSS (MB) after the settle. */
async function startOnce(command: GridbotCommand, dataDir: string) {
  const port = await freePort();
  const began = performance.now();
  const proc = spawnGridbot(
    ['start'],
    {
      DATA_DIR: dataDir,
      DASHBOARD_PORT: String(port),
      DASHBOARD_TOKEN: 'bench-embedded-token-0123456789',
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      LOG_LEVEL: 'warn',
    },
    command,
  );
  try {
    await waitUntilReady(proc, port, 60_000);
    const seconds = (performance.now() - began) / 1000;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { seconds: round(seconds, 2), idle_rss_mb: await rssMb(proc.child.pid!) };
  } finally {
    await proc.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Array<Record<string, unknown>> = [];
for (const mode of modes) {
  const command = MODES[mode];
  if (!command) throw new Error(`unknown mode ${mode}: use ${Object.keys(MODES).join(', ')}`);
  const cold: number[] = [];
  const warm: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = `/tmp/gridbot-bench-embedded-${process.pid}-${mode}-${i}`;
    await rm(dataDir, { recursive: true, force: true });
    try {
      cold.push((await startOnce(command, dataDir)).seconds);
      const again = await startOnce(command, dataDir);
      warm.push(again.seconds);
      rss.push(again.idle_rss_mb);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  rows.push({
    mode,
    cold_ready_s: median(cold),
    warm_ready_s: median(warm),
    idle_rss_mb: median(rss),
    runs: { cold, warm, rss },
  });
}

const result = {
  benchmark: 'embedded-start',
  date: new Date().toISOString(),
  setup: { runs, settle_ms: settleMs, note: 'medians; no DATABASE_URL, REDIS_URL or Docker' },
  rows,
  target: { warm_ready_s: 3, idle_rss_mb: 150 },
};
console.table(rows.map(({ runs: _, ...row }) => row));
await writeResult(values.out, result);
