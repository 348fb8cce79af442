/**
 * Runs every benchmark in turn (each writes bench/results/<name>.json and prints its table).
 * agent-start needs Docker and the agent image; skip it with --skip agent-start.
 *
 *   node bench/run-all.ts [--skip agent-start,memory]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { skip: { type: 'string', default: '' } } });
const skip = new Set(values.skip.split(',').filter(Boolean));
const benchmarks = [
  'baseline',
  'pipeline',
  'scale-out',
  'memory',
  'agent-start',
  'first-sign',
  'soak',
];
let failed = 0;
for (const name of benchmarks) {
  if (skip.has(name)) continue;
  console.log(`\n== ${name}`);
  const { status } = spawnSync(process.execPath, [`bench/${name}.ts`], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`${name} failed (exit ${status})`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
