import { resolve } from 'node:path';
import { DEFAULT_BEHAVIOUR } from '@gridbot/core';
import { EchoProvider } from '@gridbot/llm';
import { THREADS_QUEUE } from '@gridbot/queue';
import { defaultAgentCommand, ProcessRuntime } from '@gridbot/runner';
import { type BuildInfo, createLogger, type Logger, RoleRuntime } from '@gridbot/service';
import { DrainProcessor } from './drain-processor.ts';
import { parseWorkerEnv, type WorkerEnv } from './env.ts';
import { WorkerRole } from './worker-role.ts';

/** Builds the worker's parts on an open role runtime (shared with `gridbot start`). */
export function attachWorker(
  runtime: RoleRuntime,
  env: WorkerEnv,
  logger: Logger,
  /** The host's PATH, handed to agents run by the process runtime. */
  hostPath: string | undefined,
): WorkerRole {
  const agentRuntime = new ProcessRuntime({
    ...(hostPath && { path: hostPath }),
    command: env.AGENT_COMMAND
      ? env.AGENT_COMMAND.split(/\s+/).filter(Boolean)
      : defaultAgentCommand(),
    logger,
  });
  if (!env.LLM_PROVIDER) logger.warn('LLM_PROVIDER not set: using the offline echo provider');
  const processor = new DrainProcessor({
    db: runtime.db,
    queues: runtime.queues,
    runtime: agentRuntime,
    llm: new EchoProvider(),
    workerId: runtime.instance.id,
    assistantName: env.ASSISTANT_NAME,
    globalConfig: { ...DEFAULT_BEHAVIOUR, model: env.LLM_MODEL ?? DEFAULT_BEHAVIOUR.model },
    workspaceRoot: resolve(env.WORKSPACE_DIR ?? resolve(env.DATA_DIR, 'workspaces')),
    leaseTtlMs: env.LEASE_TTL_MS,
    agentTimeoutMs: env.AGENT_TIMEOUT_MS,
    logger,
    metrics: runtime.metrics,
  });
  const worker = new WorkerRole({
    processor,
    connection: runtime.blocking,
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WORKER_CONCURRENCY,
    logger,
    metrics: runtime.metrics,
  });
  runtime.shutdown.add('worker', async () => {
    // Let runs in flight finish for half the bound; then stop their agents so the runs fail
    // now and BullMQ hands them to another worker, instead of dying with the process.
    const closing = worker.stop();
    const finished = await Promise.race([
      closing.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, env.SHUTDOWN_TIMEOUT_MS / 2, false)),
    ]);
    if (!finished) {
      logger.warn('runs still in flight at shutdown: stopping their agents so they are retried');
      await agentRuntime.close();
      await closing;
    }
    await agentRuntime.close();
  });
  return worker;
}

/** `gridbot worker`: consume thread jobs and run agents until stopped. */
export async function runWorker(
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<RoleRuntime> {
  const env = parseWorkerEnv(rawEnv);
  const logger = createLogger({
    level: env.LOG_LEVEL,
    name: 'worker',
    secrets: [env.ANTHROPIC_API_KEY, env.OPENAI_API_KEY].filter((s): s is string => !!s),
  });
  const runtime = await RoleRuntime.fromEnv('worker', env, build, logger, () => [THREADS_QUEUE]);
  const port = await runtime.serve();
  const worker = attachWorker(runtime, env, logger, rawEnv.PATH);
  worker.start();
  logger.info({ healthPort: port }, 'worker ready');
  return runtime;
}
