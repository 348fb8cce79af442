import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { AgentStartError, DEFAULT_BEHAVIOUR } from '@gridbot/core';
import { THREADS_QUEUE, ThreadEventHub } from '@gridbot/queue';
import { buildAgentImage, DockerRuntime, offlineImageScript, WarmPool } from '@gridbot/runner';
import {
  type BuildInfo,
  createLogger,
  FileArtifactStore,
  type Logger,
  RoleRuntime,
  secretsNamedIn,
  secretsOf,
} from '@gridbot/service';
import { AgentLauncher } from './agent-launcher.ts';
import {
  type AgentRuntimeFactory,
  allowlistPath,
  createAgentRuntime,
  sandboxLimits,
} from './create-agent-runtime.ts';
import { createLlm } from './create-llm.ts';
import { DrainProcessor } from './drain-processor.ts';
import { parseWorkerEnv, type WorkerEnv, workerEnvSchema } from './env.ts';
import { WorkerRole } from './worker-role.ts';

/** How often the worker looks for containers left behind by crashed workers. */
const ORPHAN_SWEEP_MS = 60_000;

/**
 * Why `AGENT_RUNTIME=auto` cannot use Docker, or null when it can. A missing agent image is
 * built on first use, with progress, where the build script is at hand (a source checkout).
 * A missing `AGENT_OCI_RUNTIME` is thrown instead: whoever asked for a stronger sandbox must
 * not get unisolated processes.
 */
async function whyDockerUnusable(
  docker: DockerRuntime,
  env: WorkerEnv,
  logger: Logger,
): Promise<string | null> {
  const script = offlineImageScript();
  try {
    await docker.check();
    return null;
  } catch (error) {
    if (error instanceof AgentStartError && error.code === 'runtime_missing') throw error;
    if (!(error instanceof AgentStartError && error.code === 'image_missing' && script))
      return (error as Error).message;
  }
  logger.info(`the agent image ${env.AGENT_IMAGE} is missing: building it once (a few seconds)`);
  const began = Date.now();
  try {
    await buildAgentImage({
      image: env.AGENT_IMAGE,
      script,
      onProgress: (line) => logger.info({ image: env.AGENT_IMAGE }, line),
    });
    await docker.check();
  } catch (error) {
    if (error instanceof AgentStartError && error.code === 'runtime_missing') throw error;
    return (error as Error).message;
  }
  logger.info({ ms: Date.now() - began }, `the agent image ${env.AGENT_IMAGE} is ready`);
  return null;
}

/** What a composition may put in place of the worker's own parts. */
export interface WorkerComposition {
  agentRuntime?: AgentRuntimeFactory;
}

/** Builds the worker's parts on an open role runtime (shared with `gridbot start`). */
export async function attachWorker(
  runtime: RoleRuntime,
  env: WorkerEnv,
  logger: Logger,
  /** The host's environment for paths: PATH for process agents, HOME for the allowlist. */
  host: { PATH?: string | undefined; HOME?: string | undefined },
  composition: WorkerComposition = {},
): Promise<WorkerRole> {
  const given = composition.agentRuntime?.({ workerId: runtime.instance.id, logger });
  let agentRuntime = given ?? createAgentRuntime(env, runtime.instance.id, logger, host.PATH);
  let withheldTools: ReadonlySet<string> | undefined;
  if (given)
    logger.warn({ agents: given.name }, 'agents run in a runtime given by the composition');
  if (agentRuntime instanceof DockerRuntime && env.AGENT_RUNTIME === 'auto') {
    const unusable = await whyDockerUnusable(agentRuntime, env, logger);
    if (unusable) {
      logger.warn(
        { reason: unusable },
        `no usable Docker engine: agents run as plain processes, NOT isolated${env.AGENT_UNSANDBOXED_BASH ? '' : '; the bash tool is withheld (AGENT_UNSANDBOXED_BASH=true offers it)'}`,
      );
      agentRuntime = createAgentRuntime(
        { ...env, AGENT_RUNTIME: 'process' },
        runtime.instance.id,
        logger,
        host.PATH,
      );
      if (!env.AGENT_UNSANDBOXED_BASH) withheldTools = new Set(['bash']);
    }
  }
  // The fleet says how agents run: the dashboard and /status warn about unisolated ones.
  await runtime.instance.setAgentRuntime(
    agentRuntime instanceof DockerRuntime ? 'docker' : 'process',
  );
  if (agentRuntime instanceof DockerRuntime) {
    // `auto` has checked the engine and the image already.
    if (env.AGENT_RUNTIME !== 'auto') await agentRuntime.check();
    const sweep = async () => {
      try {
        await agentRuntime.removeOrphans((id) => runtime.instance.isAlive(id));
      } catch (error) {
        logger.warn({ err: error }, 'orphan sweep failed');
      }
    };
    await sweep();
    const timer = setInterval(sweep, ORPHAN_SWEEP_MS);
    timer.unref();
    runtime.shutdown.add('orphan sweep', () => clearInterval(timer));
  }
  const llm = await createLlm(env, logger);
  const dataDir = resolve(env.DATA_DIR);
  const pool = new WarmPool({ runtime: agentRuntime, idleMs: env.AGENT_IDLE_MS, logger });
  const events = new ThreadEventHub(runtime.transport.pubsub, env.QUEUE_PREFIX);
  // The global level of every run's settings, also published for /config, /status and the
  // dashboard, which run in other processes and would otherwise show built-in defaults.
  const globalConfig = {
    ...DEFAULT_BEHAVIOUR,
    model: llm.model,
    max_tokens: env.LLM_MAX_TOKENS,
    daily_token_budget: env.DAILY_TOKEN_BUDGET,
  };
  await runtime.instance.setBehaviour({ provider: llm.provider.name, config: globalConfig });
  const processor = new DrainProcessor({
    ...(withheldTools && { withheldTools }),
    db: runtime.db,
    queues: runtime.queues,
    launcher: new AgentLauncher({
      pool,
      workspaceRoot: resolve(env.WORKSPACE_DIR ?? resolve(dataDir, 'workspaces')),
      globalDir: resolve(env.GLOBAL_DIR ?? resolve(dataDir, 'global')),
      allowlistPath: allowlistPath(env, host.HOME),
      homeDir: host.HOME ?? homedir(),
      workspaceMaxBytes: env.AGENT_WORKSPACE_MAX_MB * 1024 * 1024,
    }),
    events,
    llm: llm.provider,
    workerId: runtime.instance.id,
    assistantName: env.ASSISTANT_NAME,
    globalConfig,
    leaseTtlMs: env.LEASE_TTL_MS,
    misfireGraceMs: env.MISFIRE_GRACE_MS,
    maxTasksPerThread: env.MAX_TASKS_PER_THREAD,
    minTaskIntervalMs: env.MIN_TASK_INTERVAL_SECONDS * 1000,
    memoryCap: { entries: env.MEMORY_MAX_ENTRIES, bytes: env.MEMORY_MAX_KB * 1024 },
    isOwnerAlive: (owner) => runtime.instance.isAlive(owner),
    limits: { ...sandboxLimits(env), timeoutMs: env.AGENT_TIMEOUT_MS },
    artifactStore: new FileArtifactStore(resolve(dataDir, 'artifacts')),
    draftIntervalMs: env.STREAM_REPLIES === 'off' ? 0 : 1_000,
    logger,
    metrics: runtime.metrics,
  });
  const worker = new WorkerRole({
    processor,
    transport: runtime.transport,
    concurrency: env.WORKER_CONCURRENCY,
    summary: {
      model:
        llm.provider.name === 'echo'
          ? 'echo (offline: it repeats what it is told; set ANTHROPIC_API_KEY or OPENAI_API_KEY)'
          : `${llm.provider.name} ${llm.model}`,
      agents:
        agentRuntime instanceof DockerRuntime
          ? `docker (isolated, image ${env.AGENT_IMAGE})`
          : given
            ? given.name
            : `processes (NOT isolated${withheldTools ? ', no bash tool' : ''})`,
    },
    workerId: runtime.instance.id,
    logger,
    metrics: runtime.metrics,
  });
  runtime.shutdown.add('agents', async () => {
    processor.stop();
    await pool.close();
    await agentRuntime.close();
  });
  runtime.shutdown.add('worker', async () => {
    // Let runs in flight finish for half the bound; then stop their agents so the runs fail
    // now and BullMQ hands them to another worker, instead of dying with the process.
    const closing = worker.stop();
    const finished = await Promise.race([
      closing.then(() => true),
      new Promise<boolean>((done) => setTimeout(done, env.SHUTDOWN_TIMEOUT_MS / 2, false)),
    ]);
    if (!finished) {
      const runs = processor.handBack();
      logger.warn(
        { runs },
        'runs still in flight at shutdown: handing them back so another worker answers them',
      );
      await closing;
    }
  });
  return worker;
}

/** `gridbot worker`: consume thread jobs and run agents until stopped. */
export async function runWorker(
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
  composition: WorkerComposition = {},
): Promise<RoleRuntime> {
  const env = parseWorkerEnv(rawEnv);
  const logger = createLogger({
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT,
    name: 'worker',
    secrets: [...secretsOf(workerEnvSchema, env), ...secretsNamedIn(rawEnv)],
  });
  const runtime = await RoleRuntime.fromEnv('worker', env, build, logger, () => [THREADS_QUEUE]);
  const port = await runtime.serve();
  const worker = await attachWorker(runtime, env, logger, rawEnv, composition);
  worker.start();
  runtime.markStarted();
  logger.info({ healthPort: port }, 'worker ready');
  return runtime;
}
