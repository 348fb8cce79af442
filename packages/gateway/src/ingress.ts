import {
  type ActionAnswer,
  DEFAULT_BEHAVIOUR,
  type InboundAction,
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
import { handleApprovalPress } from './approval-press.ts';
import {
  CHAT_COMMANDS,
  type ChatCommand,
  type CommandHead,
  commandWords,
  findCommand,
  parseCommandHead,
} from './commands/index.ts';
import { recordDelivery } from './delivery-receipt.ts';
import type { DrainRequester } from './drain-requester.ts';
import { PluginHost, pluginThread } from './plugins/plugin-host.ts';
import { type ImageIntake, storeAttachments, takeInImages } from './store-attachments.ts';
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
  /** The chat commands answered here; {@link CHAT_COMMANDS} unless given (plugins' are added). */
  commands?: readonly ChatCommand[];
  /** The plugins' hooks and commands; none unless given. */
  plugins?: PluginHost;
  /**
   * The bot's username on its platform (null while unknown): `/cmd@Name` with another name
   * is another bot's command, stored as context and never answered.
   */
  botUsername?: () => string | null;
  /** Largest file a command may send (the adapter's limit, at most 20 MB by default). */
  maxDocumentBytes?: number;
  /**
   * Messages addressing the assistant one person may send per thread and minute that start
   * runs; the rest are stored as context and the person is told once per minute. A thread's
   * `user_triggers_per_minute` overrides it. Default 10; 0: no limit.
   */
  userTriggersPerMinute?: number;
  /** Downloads people's images into artifact storage; without it they stay references. */
  images?: ImageIntake;
  /** Answers a button press on the platform (the adapter's `answerAction`); never throws. */
  answerAction?: (action: InboundAction, answer: ActionAnswer) => Promise<void>;
}

/**
 * The most a file sent by a command may hold: an outbox row carries it through Postgres, so
 * a platform that takes more (Telegram: 50 MB) still gets at most this.
 */
const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** What ingress did with an event (for logs, metrics and tests). */
export type IngressOutcome =
  | `/${string}`
  | 'unknown-command'
  | 'plugin-reply'
  | 'plugin-drop'
  | 'pairing'
  | 'triggered'
  | 'throttled'
  | 'stored'
  | 'duplicate'
  | 'unregistered'
  | 'edited'
  | 'approval-decided'
  | 'approval-refused'
  | 'delivery-recorded'
  | 'delivery-unknown'
  | 'ignored';

/**
 * Design steps 1–3 for one normalized event: store it (idempotently, metadata only for
 * unregistered chats), decide whether it triggers the agent, and request a drain. Resolves
 * after the database commit, so the adapter may acknowledge the platform then.
 *
 * A message takes one path: the thread is upserted (one statement); an unregistered direct
 * chat goes through admission; an unregistered chat gets no answer but to the commands that
 * answer there (`/status`: how to register it); a chat command is answered and not stored
 * (an unknown `/word` addressed to the bot is told to see `/help`; another bot's
 * `/word@Other` is stored as context, never answered); then the plugins' inbound hooks may
 * drop it, answer it, or add to it; anything else is stored with its sender in one
 * statement (`storeUserMessage`), in a transaction with its artifacts or a plugin's answer.
 */
export class Ingress {
  readonly #o: IngressOptions;
  readonly #replies: SystemReplies;
  readonly #commands: readonly ChatCommand[];
  readonly #plugins: PluginHost;

  constructor(options: IngressOptions) {
    this.#o = options;
    this.#replies = new SystemReplies(options.db, options.queues);
    this.#plugins = options.plugins ?? new PluginHost([], { logger: options.logger });
    this.#commands = [...(options.commands ?? CHAT_COMMANDS), ...this.#plugins.commands];
  }

  async handle(event: InboundEvent): Promise<IngressOutcome> {
    if (event.kind === 'action') return this.#action(event);
    if (event.kind === 'delivery') return recordDelivery(this.#o.db, event, this.#o.logger);
    return event.kind === 'edit' ? this.#edit(event) : this.#message(event);
  }

  /** A button press: see {@link handleApprovalPress}. */
  async #action(action: InboundAction): Promise<IngressOutcome> {
    const { db, adminUsers, drains, logger, answerAction } = this.#o;
    return handleApprovalPress(action, {
      db,
      admins: adminUsers ?? new Set(),
      requestDrain: (threadId) => drains.request(threadId),
      logger,
      answer: (answer) => answerAction?.(action, answer) ?? Promise.resolve(),
    });
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
    const head = parseCommandHead(message.text);
    const foreign = head !== null && !this.#forThisBot(head, message);
    if (!thread.registered) {
      const invoked = head && !foreign ? findCommand(this.#commands, message.text.trim()) : null;
      if (!invoked?.command.answersUnregistered) return 'unregistered';
    }
    if (head && !foreign) {
      const answered = await this.#command(head, message, thread);
      if (answered) return answered;
    }
    if (!thread.registered) return 'unregistered';
    // Another bot's command is context for the assistant, never a trigger.
    const triggersSoFar = !foreign && this.#triggers(message, thread);
    const decision = await this.#plugins.inbound({
      message,
      thread: pluginThread(thread),
      triggers: triggersSoFar,
    });
    if (decision.action === 'drop') return 'plugin-drop';
    // Another bot's command is never answered, not even by a plugin.
    if (decision.action === 'reply' && !foreign) {
      const result = await this.#store(message, thread, allowlisted, {
        triggers: false,
        answer: decision.text,
      });
      return result ? 'plugin-reply' : 'duplicate';
    }
    const wantsRun =
      !foreign && !message.sender.isBot && decision.action === 'continue' && decision.triggers;
    const added = decision.action === 'continue' ? decision.context : [];
    const content = [message.text, ...added].join('\n\n');
    const result = await this.#store(message, thread, allowlisted, { triggers: wantsRun, content });
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

  /** Whether `/word@Name` names this bot (always, without a name). */
  #forThisBot(head: CommandHead, message: InboundMessage): boolean {
    if (head.target === null) return true;
    const username = this.#o.botUsername?.() ?? null;
    // The name unknown (not connected yet): the platform's own mention flag decides.
    return username === null
      ? message.mentionsBot
      : head.target.toLowerCase() === username.toLowerCase();
  }

  /**
   * Answers a `/word` typed to this bot: runs the command it names, or, when the word is a
   * command's but the rest does not fit, says how it is typed; an unknown word addressed to
   * the bot (any in a direct chat) is pointed to `/help`. Null: not answered, so the text
   * goes on as an ordinary message (a group's `/word` not addressing the bot, a bot's).
   */
  async #command(
    head: CommandHead,
    message: InboundMessage,
    thread: Thread,
  ): Promise<IngressOutcome | null> {
    const { id } = thread;
    const reply = (text: string) => this.#replies.reply(id, message, text);
    const invoked = findCommand(this.#commands, message.text.trim());
    if (invoked) {
      await invoked.command.run({
        db: this.#o.db,
        thread,
        message,
        admins: this.#o.adminUsers ?? new Set(),
        match: invoked.match,
        commands: this.#commands,
        assistantName: this.#o.assistantName,
        globals: () =>
          globalBehaviour(this.#o.db, {
            user_triggers_per_minute: this.#userTriggersPerMinute(),
          }),
        reply,
        replyWithDocument: (caption, document) =>
          this.#replies.document(id, message, caption, document),
        maxDocumentBytes: Math.min(
          this.#o.maxDocumentBytes ?? MAX_DOCUMENT_BYTES,
          MAX_DOCUMENT_BYTES,
        ),
        publish: (event) => this.#publish(id, event),
        requestDrain: () => this.#o.drains.request(id),
      });
      return `/${invoked.command.name}`;
    }
    if (message.sender.isBot) return null;
    const addressed = !thread.is_group || head.target !== null || this.#triggers(message, thread);
    if (!addressed) return null;
    const known = this.#commands.find((command) => commandWords(command).includes(head.word));
    await reply(
      known
        ? `Usage: ${known.usage} — ${known.summary}.`
        : `Unknown command /${head.word}; see /help for the commands here.`,
    );
    return 'unknown-command';
  }

  /**
   * Stores a person's message with its sender (and its attachments, and a plugin's `answer`
   * in the outbox, in the same transaction); null if stored before (nothing is answered again).
   */
  async #store(
    message: InboundMessage,
    thread: Thread,
    allowlisted: boolean,
    how: { triggers: boolean; content?: string; answer?: string },
  ): Promise<StoredUserMessage | null> {
    const { triggers } = how;
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
      content: how.content ?? message.text,
      replyTo: message.replyTo?.platformMessageId ?? null,
      triggers,
      sentAt: message.sentAt,
      // Addressing the assistant again supersedes what it was waiting for.
      supersedeApprovals: triggers,
      triggersPerMinute: this.#triggersPerMinute(thread),
    };
    const { answer } = how;
    if (message.attachments.length === 0 && answer === undefined)
      return storeUserMessage(this.#o.db, input);
    const { images } = this.#o;
    const intakes = images ? await takeInImages(this.#o.db, thread.id, message, images) : [];
    const done = await this.#o.db.transaction().execute(async (trx) => {
      const stored = await storeUserMessage(trx, input);
      if (!stored) return null;
      const withFiles =
        message.attachments.length === 0
          ? stored
          : { ...stored, message: await storeAttachments(trx, stored.message, message, intakes) };
      const answerId =
        answer === undefined ? null : await this.#replies.insert(trx, thread.id, message, answer);
      return { stored: withFiles, answerId };
    });
    if (done?.answerId != null)
      await this.#replies.enqueue(message.channel, done.answerId, thread.id);
    return done?.stored ?? null;
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
