export { AGENT_INFO, type AgentProgramOptions, runAgentProgram } from './agent-program.ts';
export { buildConversation, type ConversationContext } from './build-conversation.ts';
export { runToolLoop, type ToolLoopOptions, type ToolLoopResult } from './tool-loop.ts';
export type { AgentTool, ToolContext, ToolResult } from './tools/agent-tool.ts';
export { createDefaultTools, type DefaultToolsOptions } from './tools/default-tools.ts';
