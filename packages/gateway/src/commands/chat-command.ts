import type { InboundMessage } from '@gridbot/core';
import type { Database, GlobalBehaviour, Thread } from '@gridbot/db';
import type { ThreadEvent } from '@gridbot/queue';
import type { Kysely } from 'kysely';

/** What a chat command works with: the registered thread it was typed in, and ways to answer. */
export interface CommandContext {
  db: Kysely<Database>;
  thread: Thread;
  message: InboundMessage;
  /** The assistant's name (the default trigger is `@<name>`). */
  assistantName: string;
  /** Platform user ids of this channel's admins (`ADMIN_USERS`); see `approval-command.ts`. */
  admins: ReadonlySet<string>;
  /** The command's pattern matched against the trimmed text. */
  match: RegExpExecArray;
  /** Answers in the thread (a system reply, not the agent's). */
  reply(text: string): Promise<void>;
  /** Publishes a live event to the worker running the thread; never fails. */
  publish(event: ThreadEvent): Promise<void>;
  /** Asks for a run of the thread. */
  requestDrain(): Promise<void>;
  /** The global settings runs start from (the workers', with this gateway's own on top). */
  globals(): Promise<GlobalBehaviour>;
}

/**
 * A command typed in a registered chat (`/stop`, `/tasks` …). It is answered by the gateway
 * and never stored as a message for the agent. Each pattern allows `@BotName` after the
 * command, as Telegram clients add in groups.
 */
export interface ChatCommand {
  /** Ingress's outcome for the command, for logs, metrics and tests. */
  name: 'stop' | 'tasks' | 'status' | 'approval' | 'pair' | 'config' | 'defaults';
  pattern: RegExp;
  /** Answered in unregistered chats too (whose messages are otherwise ignored). */
  answersUnregistered?: boolean;
  run(context: CommandContext): Promise<void>;
}

/** The command `text` (trimmed) invokes, with its match, if any. */
export function findCommand(
  commands: readonly ChatCommand[],
  text: string,
): { command: ChatCommand; match: RegExpExecArray } | null {
  for (const command of commands) {
    const match = command.pattern.exec(text);
    if (match) return { command, match };
  }
  return null;
}
