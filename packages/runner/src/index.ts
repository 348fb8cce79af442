export {
  type BuildAgentImageOptions,
  buildAgentImage,
  offlineImageScript,
} from './agent-image-build.ts';
export type {
  AgentExit,
  AgentMount,
  AgentProcess,
  AgentRuntime,
  AgentSpec,
  SandboxLimits,
} from './agent-runtime.ts';
export {
  type AgentRequestHandler,
  type AgentRequestHandlers,
  AgentSession,
  type AgentSessionOptions,
} from './agent-session.ts';
export { CONTAINER_LABELS, DEFAULT_SANDBOX_LIMITS } from './container-spec.ts';
export { defaultAgentCommand } from './default-agent-command.ts';
export { DockerRuntime, type DockerRuntimeOptions } from './docker-runtime.ts';
export {
  type AllowedRoot,
  DEFAULT_BLOCKED_PATTERNS,
  loadMountAllowlist,
  type MountAllowlist,
  parseMountAllowlist,
} from './mount-allowlist.ts';
export { type CheckMountsOptions, checkMounts, type RequestedMount } from './mount-check.ts';
export {
  InvalidFolderNameError,
  MountAllowlistError,
  MountRefusedError,
  WorkspaceFullError,
} from './mount-errors.ts';
export { validateFolderName } from './mount-paths.ts';
export { realMountSources, verifyMountSources } from './mount-sources.ts';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.ts';
export { RpcMethodError } from './rpc-method-error.ts';
export { WarmPool, type WarmPoolOptions } from './warm-pool.ts';
export { checkWorkspaceSize, diskUsage } from './workspace-size.ts';
