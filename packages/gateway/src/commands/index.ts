import { approvalCommand } from './approval-command.ts';
import type { ChatCommand } from './chat-command.ts';
import { configCommand } from './config-command.ts';
import { defaultsCommand } from './defaults-command.ts';
import { pairCommand } from './pair-command.ts';
import { statusCommand } from './status-command.ts';
import { stopCommand } from './stop-command.ts';
import { tasksCommand } from './tasks-command.ts';

export { type ChatCommand, type CommandContext, findCommand } from './chat-command.ts';

/** The chat commands every gateway answers; a new command is one entry here. */
export const CHAT_COMMANDS: readonly ChatCommand[] = [
  stopCommand,
  tasksCommand,
  statusCommand,
  approvalCommand,
  pairCommand,
  configCommand,
  defaultsCommand,
];
