import type { InboundMessage } from '@gridbot/core';
import type { Database, GlobalBehaviour, OutboxDocument, Thread } from '@gridbot/db';
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
  /** The commands answered in this gateway (built-in and plugins'), for `/help`. */
  commands: readonly ChatCommand[];
  /** Answers in the thread (a system reply, not the agent's). */
  reply(text: string): Promise<void>;
  /** Answers in the thread with a file (at most `maxDocumentBytes`), `caption` shown with it. */
  replyWithDocument(caption: string, document: OutboxDocument): Promise<void>;
  /** Largest file the channel takes from the gateway (bytes). */
  maxDocumentBytes: number;
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
 * command, as Telegram clients add in groups (ingress has already checked that the name is
 * this bot's).
 */
export interface ChatCommand {
  /** Names the command in logs, metrics and tests (ingress's outcome is `/<name>`). */
  name: string;
  /**
   * How it is typed, as `/help` shows it: `/tasks`, `/approve <id> | /reject <id>`. Every
   * `/word` in it is a word of this command: typed with arguments the pattern refuses, it
   * gets this usage back instead of "unknown command".
   */
  usage: string;
  /** One line for `/help`: what it does. */
  summary: string;
  /** Answered in the main chat only (elsewhere it says where to go); `/help` lists it there only. */
  mainOnly?: boolean;
  /** Only admins may use it; `/help` says so. */
  adminOnly?: boolean;
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

/** The command words in a usage line (`/approve <id> | /reject <id>`: approve, reject), lower-cased. */
export function commandWords(command: Pick<ChatCommand, 'usage'>): string[] {
  const words = [...command.usage.matchAll(/(?:^|\s)\/([A-Za-z0-9_]+)/g)].map((m) =>
    m[1]!.toLowerCase(),
  );
  return [...new Set(words)];
}

/** A `/word` or `/word@Name` at the start of a text, as typed to a bot. */
export interface CommandHead {
  /** The command word, lower-cased. */
  word: string;
  /** The bot it names (`@Name`), or null. */
  target: string | null;
}

/**
 * Reads the `/word[@Name]` a text starts with; null when it does not start with one (a
 * path like `/usr/bin` is not a command: the word must end at a space or the end).
 */
export function parseCommandHead(text: string): CommandHead | null {
  const match = /^\/([A-Za-z0-9_]{1,64})(?:@([\w.]{1,64}))?(?=\s|$)/.exec(text.trim());
  if (!match) return null;
  return { word: match[1]!.toLowerCase(), target: match[2] ?? null };
}
