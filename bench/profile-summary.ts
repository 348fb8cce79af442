/**
 * Where a role's CPU time went, from a V8 CPU profile (`node --cpu-prof`): self time by
 * package, then the hottest functions. Idle time is reported apart.
 *
 *   node bench/profile-summary.ts <file.cpuprofile> [--top 20]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '20' } },
});
const top = Number(values.top);

/** `bullmq`, `kysely`, `node:internal`, `apps/gateway`, or a V8 pseudo-frame like `(garbage collector)`. */
function packageOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  const pnpm = /node_modules\/\.pnpm\/(@[^/]+\+[^@/]+|[^@/]+)/.exec(url);
  if (pnpm) return pnpm[1]!.replace('+', '/');
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/((?:apps|packages)\/[^/]+)\//.exec(url);
  if (own) return own[1]!;
  return url === '' ? functionName || '(native)' : url;
}

for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  let idle = 0;
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const pkg = packageOf(frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${pkg}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const busy = total - idle;
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({
        name,
        ms: Math.round(micros / 1000),
        'share of busy': `${((micros / busy) * 100).toFixed(1)} %`,
      }));
  console.log(
    `\n${file}: ${Math.round(total / 1000)} ms profiled, ${Math.round(busy / 1000)} ms busy`,
  );
  console.table(rows(packages));
  console.table(rows(functions));
}
