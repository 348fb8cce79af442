import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The argv that runs the default agent program with the current Node binary, for the
 * `process` runtime: `packages/agent/src/main.ts`, or `agent.mjs` beside the bundled CLI.
 */
export function defaultAgentCommand(): string[] {
  const source = fileURLToPath(new URL('../../agent/src/main.ts', import.meta.url));
  const bundled = join(import.meta.dirname, 'agent.mjs');
  return [process.execPath, existsSync(source) || !existsSync(bundled) ? source : bundled];
}
