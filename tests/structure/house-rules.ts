/**
 * The house rules of the source tree, as a pure function over the files' text, so the test
 * command can check the real tree and a test can show each rule catches its breach:
 *
 * - workspace packages' production code imports only the layers below them (core ← db,
 *   queue, llm, channels, runner, agent ← service ← gateway ← apps), and no package, not
 *   even its tests, imports an app;
 * - no app imports another app, except the CLI (the composition root);
 * - `queue` is transport only: it imports no storage (`@gridbot/db`, kysely, PGlite);
 * - production code imports no test code (test files, `testing/` folders, contract suites,
 *   `tests/`, `bench/`), so no production entry point can reach it;
 * - relative imports stay inside their package (test code may reach `tests/support`);
 * - no file is over 400 lines unless a sentence near its top says why ("over 400 lines").
 */

/** The workspace packages each package may import (apps: every package). */
const LAYERS: Record<string, readonly string[]> = {
  core: [],
  // Spans and their context, which every layer may open and carry.
  telemetry: [],
  db: ['core'],
  queue: ['core', 'telemetry'],
  llm: ['core'],
  channels: ['core'],
  runner: ['core', 'telemetry'],
  agent: ['core'],
  service: ['core', 'db', 'queue', 'telemetry'],
  gateway: ['core', 'db', 'queue', 'channels', 'service', 'telemetry'],
};
/** Imports `queue` may not use: it moves jobs and events, and stores nothing. */
const STORAGE = ['@gridbot/db', 'kysely', '@electric-sql/pglite'];
const MAX_LINES = 400;

/** Where a file sits: `packages/<name>`, `apps/<name>`, or the suites (`tests`, `bench`). */
function ownerOf(path: string): { kind: 'package' | 'app' | 'other'; name: string; root: string } {
  const match = /^(packages|apps)\/([^/]+)\//.exec(path);
  if (!match) return { kind: 'other', name: path.split('/')[0]!, root: path.split('/')[0]! };
  return {
    kind: match[1] === 'packages' ? 'package' : 'app',
    name: match[2]!,
    root: `${match[1]}/${match[2]}`,
  };
}

/** Test code: test files, contract suites, `testing/` folders, and everything in tests/ and bench/. */
export function isTestCode(path: string): boolean {
  return (
    /\.test\.ts$/.test(path) ||
    /\.contract\.ts$/.test(path) ||
    /\/testing\//.test(path) ||
    /^(tests|bench)\//.test(path)
  );
}

/** The module specifiers a file imports or re-exports, static and dynamic. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

function resolveRelative(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** Every breach of the rules in `files` (repository-relative path → source text). */
export function houseViolations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, source] of files) {
    const owner = ownerOf(path);
    const testCode = isTestCode(path);
    const lines = source.split('\n').length;
    if (lines > MAX_LINES && !/over 400 lines/i.test(source.split('\n').slice(0, 15).join('\n'))) {
      problems.push(
        `${path}: ${lines} lines, and no sentence at its top says why (over 400 lines)`,
      );
    }
    for (const specifier of importsOf(source)) {
      if (owner.kind === 'package' && owner.name === 'queue' && !testCode) {
        if (STORAGE.some((s) => specifier === s || specifier.startsWith(`${s}/`)))
          problems.push(`${path}: queue imports storage (${specifier})`);
      }
      const workspace = /^@gridbot\/([^/]+)/.exec(specifier)?.[1];
      if (workspace) {
        const isApp = workspace.startsWith('app-');
        if (owner.kind === 'package') {
          if (isApp) problems.push(`${path}: a package imports an app (${specifier})`);
          // Test code may use any package below the apps (a contract suite, a fake model).
          else if (
            !testCode &&
            workspace !== owner.name &&
            !LAYERS[owner.name]?.includes(workspace)
          )
            problems.push(
              `${path}: ${owner.name} may import ${LAYERS[owner.name]?.join(', ') || 'no workspace package'}, not ${specifier}`,
            );
        } else if (owner.kind === 'app' && isApp && owner.name !== 'cli') {
          problems.push(
            `${path}: an app imports another app (${specifier}); only the CLI composes`,
          );
        }
        continue;
      }
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(path, specifier);
      if (!testCode && isTestCode(target))
        problems.push(`${path}: production code imports test code (${specifier})`);
      if (owner.kind !== 'other' && !target.startsWith(`${owner.root}/`)) {
        const toSupport = testCode && target.startsWith('tests/support/');
        if (!toSupport)
          problems.push(`${path}: a relative import leaves ${owner.root} (${specifier})`);
      }
    }
  }
  return problems;
}
