export { AGENT_INFO, type AgentProgramOptions, runAgentProgram } from './agent-program.ts';
export { buildConversation } from './build-conversation.ts';
