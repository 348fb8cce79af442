/**
 * `gridbot` as the benchmarks compose it: the same CLI, with every worker's agents answered
 * in-process by {@link InProcessAgentRuntime} (canned replies, no program, no container),
 * so a benchmark measures GridBot's own path. Not a production entry: nothing in the
 * production environment selects it. BENCH_AGENT_DELAY_MS makes each run take that long.
 *
 *   node bench/gridbot-bench.ts worker
 */
import { runCli } from '../apps/cli/src/run-cli.ts';
import { InProcessAgentRuntime } from './inprocess-agent-runtime.ts';

const delayMs = Number(process.env.BENCH_AGENT_DELAY_MS ?? 0);
if (!Number.isInteger(delayMs) || delayMs < 0) {
  console.error(
    `BENCH_AGENT_DELAY_MS must be a whole number of ms, got ${process.env.BENCH_AGENT_DELAY_MS}`,
  );
  process.exit(2);
}
runCli(process.argv.slice(2), { agentRuntime: () => new InProcessAgentRuntime({ delayMs }) });
