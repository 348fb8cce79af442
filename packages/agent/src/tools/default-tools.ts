import type { AgentTool } from './agent-tool.ts';
import { createApprovalTool } from './approval-tool.ts';
import { createBashTool } from './bash-tool.ts';
import { createFileTools } from './file-tools.ts';
import { createMemoryTools } from './memory-tools.ts';
import { createSendMessageTool } from './send-message-tool.ts';
import { createTaskTools } from './task-tools.ts';

export interface DefaultToolsOptions {
  /** Shells the `bash` tool tries, in order; default bash, then sh. */
  shells?: readonly string[];
}

/** Every tool of the default agent, in the order the model sees them. */
export function createDefaultTools(options: DefaultToolsOptions = {}): AgentTool[] {
  return [
    createBashTool(options.shells ? { shells: options.shells } : {}),
    ...createFileTools(),
    createSendMessageTool(),
    ...createTaskTools(),
    ...createMemoryTools(),
    createApprovalTool(),
  ];
}
