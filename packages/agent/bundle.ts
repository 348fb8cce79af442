/**
 * Bundles the agent program into one ESM file with its dependencies, the form that goes
 * into agent images: `node packages/agent/bundle.ts [outfile]`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const outfile = process.argv[2] ?? fileURLToPath(new URL('./dist/agent.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('./src/main.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outfile,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`agent bundle: ${outfile}`);
