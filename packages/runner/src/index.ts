export type { AgentProcess, AgentRuntime, AgentSpec } from './agent-runtime.ts';
export {
  type AgentRequestHandler,
  type AgentRequestHandlers,
  AgentSession,
  type AgentSessionOptions,
} from './agent-session.ts';
export { defaultAgentCommand } from './default-agent-command.ts';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.ts';
export { RpcMethodError } from './rpc-method-error.ts';
