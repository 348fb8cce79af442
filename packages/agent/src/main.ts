// The default agent program. Runs inside the agent container (or as a child process of a
// worker with the process runtime): JSON-RPC on stdin/stdout, logs on stderr only.
import { runAgentProgram } from './agent-program.ts';

const prefix = `[gridbot-agent thread=${process.env.GRIDBOT_THREAD_ID ?? '?'} run=${process.env.GRIDBOT_RUN_ID ?? '?'}]`;
const log = (message: string): void => {
  process.stderr.write(`${prefix} ${message}\n`);
};

try {
  const code = await runAgentProgram({ input: process.stdin, output: process.stdout, log });
  process.stdout.write('', () => process.exit(code));
} catch (error) {
  log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
