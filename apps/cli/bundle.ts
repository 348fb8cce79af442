/**
 * Bundles the `gridbot` CLI for production into `apps/cli/dist/`: ES modules split per
 * command (a worker loads only the worker's code), the dashboard's static files, Bull
 * Board's UI and the agent program beside them. Running the bundle skips TypeScript type
 * stripping and the unbundled module graph, which saves each role tens of MB (see
 * bench/README.md):
 *
 *   node apps/cli/bundle.ts && node apps/cli/dist/gridbot.mjs worker
 *
 * `--entry name=path` adds another composition of the CLI beside it, sharing its chunks
 * (the benchmarks bundle theirs, bench/gridbot-bench.ts, this way).
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '../..');
const outdir = join(import.meta.dirname, 'dist');
const require = createRequire(join(root, 'apps/dashboard/package.json'));
const { values } = parseArgs({ options: { entry: { type: 'string', multiple: true } } });
const extraEntries = Object.fromEntries(
  (values.entry ?? []).map((entry) => {
    const [name, path] = entry.split('=');
    if (!name || !path) throw new Error(`--entry takes name=path, got ${entry}`);
    return [name, path];
  }),
);

/** Optional native addons (ssh2's crypto, cpu-features) load inside try/catch: stub them. */
const noNativeAddons: Plugin = {
  name: 'no-native-addons',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) =>
      args.path.includes('build/') || !args.path.startsWith('.')
        ? { path: args.path, namespace: 'native-addon' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'native-addon' }, () => ({
      contents: 'throw new Error("native addon not bundled");',
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { gridbot: join(root, 'apps/cli/src/main.ts'), ...extraEntries },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  // Some libraries check constructor names (node-fetch: AbortSignal); keep them.
  keepNames: true,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [noNativeAddons],
  // CommonJS dependencies inside an ES module bundle expect these.
  banner: {
    js: [
      "import { createRequire as __gbCreateRequire } from 'node:module';",
      "import { fileURLToPath as __gbFileURLToPath } from 'node:url';",
      "import { dirname as __gbDirname } from 'node:path';",
      'const require = __gbCreateRequire(import.meta.url);',
      'const __filename = __gbFileURLToPath(import.meta.url);',
      'const __dirname = __gbDirname(__filename);',
    ].join('\n'),
  },
});

// Static files the code looks for beside itself (see apps/dashboard/src/asset-path.ts).
await cp(join(root, 'apps/dashboard/src/public'), join(outdir, 'public'), { recursive: true });
await cp(
  join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
  join(outdir, 'public/chart.umd.min.js'),
);
await cp(
  join(dirname(require.resolve('markdown-it')), 'markdown-it.min.js'),
  join(outdir, 'public/markdown-it.min.js'),
);
const bullBoardUi = dirname(
  createRequire(require.resolve('@bull-board/api')).resolve('@bull-board/ui/package.json'),
);
await mkdir(join(outdir, 'bull-board-ui'), { recursive: true });
await cp(join(bullBoardUi, 'dist'), join(outdir, 'bull-board-ui/dist'), { recursive: true });

// The embedded database's WebAssembly and data files, which PGlite loads beside its code.
const pglite = dirname(
  createRequire(join(root, 'packages/db/package.json')).resolve('@electric-sql/pglite'),
);
for (const file of ['pglite.wasm', 'pglite.data', 'initdb.wasm'])
  await cp(join(pglite, file), join(outdir, file));

// The agent program for AGENT_RUNTIME=process (images carry their own copy).
await build({
  entryPoints: [join(root, 'packages/agent/src/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outfile: join(outdir, 'agent.mjs'),
  legalComments: 'none',
  logLevel: 'warning',
});
// The release's name and version, which `gridbot` reports in the fleet.
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
await writeFile(
  join(outdir, 'package.json'),
  `${JSON.stringify({ name: 'gridbot', version, type: 'module', private: true }, null, 2)}\n`,
);
console.log(`gridbot bundle: ${outdir}/gridbot.mjs`);
