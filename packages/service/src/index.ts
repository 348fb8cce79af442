export { type ArtifactStore, FileArtifactStore } from './artifact-store.ts';
export { lockDataDir } from './data-dir-lock.ts';
export {
  type BaseEnv,
  baseEnvShape,
  parseEnv,
  passwordInUrl,
  portVar,
  secret,
  secretsNamedIn,
  secretsOf,
  urlVar,
} from './env.ts';
export {
  HealthServer,
  type HealthServerOptions,
  type ReadinessCheck,
  type RouteHandler,
} from './health-server.ts';
export {
  InstanceRegistry,
  type InstanceRegistryOptions,
  processExists,
} from './instance-registry.ts';
export { createLogger, type Logger, type LoggerOptions } from './logger.ts';
export { createMetrics, type ServiceMetrics } from './metrics.ts';
export {
  assertPostgresReachable,
  type BuildInfo,
  type DeploymentMode,
  RoleRuntime,
  type RoleRuntimeOptions,
  safeUrl,
} from './role-runtime.ts';
export { Shutdown } from './shutdown.ts';
export { listenForStopSignals, onStopSignal } from './stop-signals.ts';
