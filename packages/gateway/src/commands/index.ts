import { approvalCommand } from './approval-command.ts';
import type { ChatCommand } from './chat-command.ts';
import { configCommand } from './config-command.ts';
import { defaultsCommand } from './defaults-command.ts';
import { helpCommand } from './help-command.ts';
import { historyCommand } from './history-command.ts';
import { analyzeCommand, imagesCommand } from './images-command.ts';
import { pairCommand } from './pair-command.ts';
import { resetCommand } from './reset-command.ts';
import { statsCommand } from './stats-command.ts';
import { statusCommand } from './status-command.ts';
import { stopCommand } from './stop-command.ts';
import { tasksCommand } from './tasks-command.ts';

export {
  type ChatCommand,
  type CommandContext,
  type CommandHead,
  commandWords,
  findCommand,
  parseCommandHead,
} from './chat-command.ts';

/** The chat commands every gateway answers; a new command is one entry here (`/help` lists it). */
export const CHAT_COMMANDS: readonly ChatCommand[] = [
  helpCommand,
  stopCommand,
  tasksCommand,
  statusCommand,
  approvalCommand,
  pairCommand,
  resetCommand,
  historyCommand,
  imagesCommand,
  analyzeCommand,
  statsCommand,
  configCommand,
  defaultsCommand,
];
