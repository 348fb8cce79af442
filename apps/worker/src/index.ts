export { type AgentRuntimeFactory, fleetOf } from './create-agent-runtime.ts';
export { DrainProcessor, type DrainProcessorOptions } from './drain-processor.ts';
export { parseWorkerEnv, type WorkerEnv, workerEnvSchema, workerEnvShape } from './env.ts';
export { attachWorker, runWorker, type WorkerComposition } from './run-worker.ts';
export { WorkerRole, type WorkerRoleOptions } from './worker-role.ts';
