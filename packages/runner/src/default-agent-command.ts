import { fileURLToPath } from 'node:url';

/**
 * The argv that runs the default agent program (`packages/agent/src/main.ts`) with the
 * current Node binary, for the `process` runtime.
 */
export function defaultAgentCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../agent/src/main.ts', import.meta.url))];
}
