import {
  DEFAULT_BEHAVIOUR,
  type InboundEdit,
  type InboundEvent,
  type InboundMessage,
  resolveBehaviour,
  shouldTrigger,
} from '@gridbot/core';
import {
  type Database,
  findThreadByJid,
  globalBehaviour,
  type Message,
  type StoredUserMessage,
  storeUserMessage,
  type Thread,
  type UserMessageInput,
  updateMessageText,
  upsertThreadFromChat,
} from '@gridbot/db';
import type { PipelineQueues, ThreadEvent } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';
import { admitDirectChat } from './admission.ts';
import { CHAT_COMMANDS, type ChatCommand, findCommand } from './commands/index.ts';
import type { DrainRequester } from './drain-requester.ts';
import { storeAttachments } from './store-attachments.ts';
import { SystemReplies } from './system-replies.ts';

export interface IngressOptions {
  db: Kysely<Database>;
  drains: DrainRequester;
  assistantName: string;
  /** Platform user ids allowed to talk to the assistant in a direct chat without pairing. */
  allowedUsers: ReadonlySet<string>;
  /** Publishes a live thread event to the worker running the thread, if any. */
  publish: (threadId: number, event: ThreadEvent) => Promise<void>;
  queues: PipelineQueues;
  logger: Logger;
  /** Platform user ids of the channel's admins (they may decide any approval). */
  adminUsers?: ReadonlySet<string>;
  /** The chat commands answered here; {@link CHAT_COMMANDS} unless given. */
  commands?: readonly ChatCommand[];
  /**
   * Messages addressing the assistant one person may send per thread and minute that start
   * runs; the rest are stored as context and the person is told once per minute. A thread's
   * `user_triggers_per_minute` overrides it. Default 10; 0: no limit.
   */
  userTriggersPerMinute?: number;
}

/** What ingress did with an event (for logs, metrics and tests). */
export type IngressOutcome =
  | ChatCommand['name']
  | 'pairing'
  | 'triggered'
  | 'throttled'
  | 'stored'
  | 'duplicate'
  | 'unregistered'
  | 'edited'
  | 'ignored';

/**
 * Design steps 1–3 for one normalized event: store it (idempotently, metadata only for
 * unregistered chats), decide whether it triggers the agent, and request a drain. Resolves
 * after the database commit, so the adapter may acknowledge the platform then.
 *
 * A message takes one path: the thread is upserted (one statement); an unregistered direct
 * chat goes through admission; an unregistered chat gets no answer but to the commands that
 * answer there (`/status`: how to register it); a chat command is answered and not stored;
 * anything else is stored with its sender in one statement (`storeUserMessage`), in a
 * transaction with its artifacts when it has attachments.
 */
export class Ingress {
  readonly #o: IngressOptions;
  readonly #replies: SystemReplies;
  readonly #commands: readonly ChatCommand[];

  constructor(options: IngressOptions) {
    this.#o = options;
    this.#replies = new SystemReplies(options.db, options.queues);
    this.#commands = options.commands ?? CHAT_COMMANDS;
  }

  async handle(event: InboundEvent): Promise<IngressOutcome> {
    return event.kind === 'edit' ? this.#edit(event) : this.#message(event);
  }

  async #message(message: InboundMessage): Promise<IngressOutcome> {
    const outcome = await this.#route(message);
    this.#o.logger.debug(
      { jid: message.chat.jid, platformMessageId: message.platformMessageId, outcome },
      'inbound message',
    );
    return outcome;
  }

  async #route(message: InboundMessage): Promise<IngressOutcome> {
    const { db, allowedUsers } = this.#o;
    const allowlisted = !message.chat.isGroup && allowedUsers.has(message.sender.platformUserId);
    let thread = await upsertThreadFromChat(db, {
      jid: message.chat.jid,
      channel: message.channel,
      platformChatId: message.chat.platformChatId,
      title: message.chat.title,
      isGroup: message.chat.isGroup,
    });
    if (!thread.registered && !message.chat.isGroup) {
      const admission = await admitDirectChat(db, this.#replies, thread, message, allowlisted);
      if (!admission.admitted) return message.sender.isBot ? 'unregistered' : 'pairing';
      thread = admission.thread;
    }
    const invoked = findCommand(this.#commands, message.text.trim());
    if (!thread.registered && !invoked?.command.answersUnregistered) return 'unregistered';
    if (invoked) {
      const { id } = thread;
      await invoked.command.run({
        db,
        thread,
        message,
        assistantName: this.#o.assistantName,
        admins: this.#o.adminUsers ?? new Set(),
        match: invoked.match,
        reply: (text) => this.#replies.reply(id, message, text),
        publish: (event) => this.#publish(id, event),
        requestDrain: () => this.#o.drains.request(id),
        globals: () =>
          globalBehaviour(db, { user_triggers_per_minute: this.#userTriggersPerMinute() }),
      });
      return invoked.command.name;
    }
    const wantsRun = this.#triggers(message, thread);
    const result = await this.#store(message, thread, wantsRun, allowlisted);
    if (!result) return 'duplicate';
    const { message: stored, throttled } = result;
    const triggers = stored.triggers;
    // A run in progress takes the message at once as follow-up input; a trigger also asks
    // for a run. Both at once: neither depends on the other.
    await Promise.all([
      this.#publish(thread.id, { type: 'message', message: asAgentMessage(stored) }),
      triggers ? this.#o.drains.request(thread.id) : null,
      throttled === 'first'
        ? this.#replies.reply(thread.id, message, rateLimitNotice(this.#triggersPerMinute(thread)))
        : null,
    ]);
    if (throttled !== 'no') return 'throttled';
    return triggers ? 'triggered' : 'stored';
  }

  /** Stores a person's message with its sender (and its attachments); null if stored before. */
  async #store(
    message: InboundMessage,
    thread: Thread,
    triggers: boolean,
    allowlisted: boolean,
  ): Promise<StoredUserMessage | null> {
    const input: UserMessageInput = {
      threadId: thread.id,
      channel: message.channel,
      sender: {
        platformUserId: message.sender.platformUserId,
        name: message.sender.name,
        username: message.sender.username,
        allowed: allowlisted,
        timeZone: message.sender.timeZone ?? null,
      },
      platformMessageId: message.platformMessageId,
      content: message.text,
      replyTo: message.replyTo?.platformMessageId ?? null,
      triggers,
      sentAt: message.sentAt,
      // Addressing the assistant again supersedes what it was waiting for.
      supersedeApprovals: triggers,
      triggersPerMinute: this.#triggersPerMinute(thread),
    };
    if (message.attachments.length === 0) return storeUserMessage(this.#o.db, input);
    return this.#o.db.transaction().execute(async (trx) => {
      const stored = await storeUserMessage(trx, input);
      return stored && { ...stored, message: await storeAttachments(trx, stored.message, message) };
    });
  }

  /** This gateway's own global for the per-person limit (`USER_TRIGGERS_PER_MINUTE`). */
  #userTriggersPerMinute(): number {
    return this.#o.userTriggersPerMinute ?? DEFAULT_BEHAVIOUR.user_triggers_per_minute;
  }

  /** The thread's per-person limit on messages that start runs (no person may lift it). */
  #triggersPerMinute(thread: Thread): number {
    const operator = {
      ...DEFAULT_BEHAVIOUR,
      user_triggers_per_minute: this.#userTriggersPerMinute(),
    };
    return resolveBehaviour({
      global: operator,
      thread: { config: thread.config, isGroup: thread.is_group },
    }).config.user_triggers_per_minute;
  }

  /** Whether a message addresses the assistant in its thread. */
  #triggers(message: InboundMessage, thread: Thread): boolean {
    return (
      !message.sender.isBot &&
      shouldTrigger({
        text: message.text,
        isGroup: thread.is_group,
        requiresTrigger: thread.requires_trigger,
        pattern: thread.trigger_pattern,
        assistantName: this.#o.assistantName,
        mentionsBot: message.mentionsBot,
        repliesToBot: message.replyTo?.fromBot ?? false,
      })
    );
  }

  /** Publishes without ever failing ingress: the message is stored, and the next run reads it anyway. */
  async #publish(threadId: number, event: ThreadEvent): Promise<void> {
    try {
      await this.#o.publish(threadId, event);
    } catch (error) {
      this.#o.logger.warn({ err: error, threadId }, 'could not publish a live thread event');
    }
  }

  async #edit(edit: InboundEdit): Promise<IngressOutcome> {
    const thread = await findThreadByJid(this.#o.db, edit.chat.jid);
    if (!thread?.registered) return 'unregistered';
    const updated = await updateMessageText(
      this.#o.db,
      thread.id,
      edit.platformMessageId,
      edit.text,
      edit.editedAt,
    );
    return updated ? 'edited' : 'ignored';
  }
}

function asAgentMessage(message: Message) {
  return {
    id: message.id,
    role: 'user' as const,
    senderName: message.sender_name,
    text: message.content,
    sentAt: message.sent_at.toISOString(),
  };
}

/** Told once per minute to a person over the limit. */
function rateLimitNotice(limit: number): string {
  return `You are sending messages faster than I answer them (at most ${limit} a minute here). I keep reading them, and answer again from the next minute.`;
}
