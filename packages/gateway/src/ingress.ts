import {
  type InboundEdit,
  type InboundEvent,
  type InboundMessage,
  shouldTrigger,
} from '@gridbot/core';
import {
  type ApprovalDecision,
  approvePairing,
  type Database,
  decideApproval,
  findThreadByJid,
  findUser,
  hasLiveRun,
  insertArtifact,
  insertMessage,
  insertOutbox,
  type Message,
  type PairingRequest,
  requestPairing,
  storeUserMessage,
  supersedePendingApprovals,
  type Thread,
  updateMessageText,
  upsertThreadFromChat,
  upsertUser,
} from '@gridbot/db';
import type { PipelineQueues, ThreadEvent } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';
import { describeStatus } from './describe-status.ts';
import { describeTasks } from './describe-tasks.ts';
import type { DrainRequester } from './drain-requester.ts';

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
}

/** `/stop`, optionally addressed to a bot (`/stop@GridBot`): cancels the thread's live run. */
const STOP_COMMAND = /^\/stop(@\w+)?$/i;
/** `/tasks`: lists the thread's scheduled tasks with their next run in the thread's zone. */
const TASKS_COMMAND = /^\/tasks(@\w+)?$/i;
/** `/status`: the workers, whether agents are isolated, and the thread's run and tasks. */
const STATUS_COMMAND = /^\/status(@\w+)?$/i;
/** `/approve 12` or `/reject 12`: decides a pending approval of the thread. */
const APPROVAL_COMMAND = /^\/(approve|reject)(@\w+)?\s+#?(\d+)$/i;

/** Chat commands, which take the transactional path. */
/** `/pair ABC123` in the main thread: admits the user who was given that pairing code. */
const PAIR_COMMAND = /^\/pair(@\w+)?\s+([A-Za-z0-9]{4,12})$/i;
const COMMANDS = [STOP_COMMAND, TASKS_COMMAND, STATUS_COMMAND, APPROVAL_COMMAND, PAIR_COMMAND];

/** What ingress did with an event (for logs, metrics and tests). */
export type IngressOutcome =
  | 'stop'
  | 'tasks'
  | 'status'
  | 'approval'
  | 'pair'
  | 'pairing'
  | 'triggered'
  | 'stored'
  | 'duplicate'
  | 'unregistered'
  | 'edited'
  | 'ignored';

/**
 * Design steps 1–3 for one normalized event: store it (idempotently, metadata only for
 * unregistered chats), decide whether it triggers the agent, and request a drain. Resolves
 * after the database commit, so the adapter may acknowledge the platform then.
 */
export class Ingress {
  readonly #options: IngressOptions;

  constructor(options: IngressOptions) {
    this.#options = options;
  }

  async handle(event: InboundEvent): Promise<IngressOutcome> {
    return event.kind === 'edit' ? this.#edit(event) : this.#message(event);
  }

  async #message(message: InboundMessage): Promise<IngressOutcome> {
    const { db, allowedUsers } = this.#options;
    const allowedDirect = !message.chat.isGroup && allowedUsers.has(message.sender.platformUserId);
    const result =
      (await this.#storeFast(message, allowedDirect)) ??
      (await db.transaction().execute(async (trx) => {
        let thread = await upsertThreadFromChat(trx, {
          jid: message.chat.jid,
          channel: message.channel,
          platformChatId: message.chat.platformChatId,
          title: message.chat.title,
          isGroup: message.chat.isGroup,
        });
        if (!thread.registered && !message.chat.isGroup) {
          // Admitted by the channel's allowlist, or paired earlier (users.allowed).
          const admitted =
            allowedDirect ||
            (!message.sender.isBot &&
              (await findUser(trx, message.channel, message.sender.platformUserId))?.allowed ===
                true);
          if (admitted) {
            thread = await trx
              .updateTable('threads')
              .set({ registered: true, requires_trigger: false })
              .where('id', '=', thread.id)
              .returningAll()
              .executeTakeFirstOrThrow();
          } else if (!message.sender.isBot) {
            const { request, created } = await requestPairing(trx, {
              channel: message.channel,
              platformUserId: message.sender.platformUserId,
              userName: message.sender.name,
              jid: message.chat.jid,
              threadId: thread.id,
            });
            // One code per hour: while it is valid, further messages get no answer. The outbox
            // row commits with the code, so the sweeper delivers it even if enqueueing fails.
            const replyId = created
              ? await this.#insertReply(trx, thread.id, message, pairingText(request))
              : null;
            return { outcome: 'pairing' as const, threadId: thread.id, replyId };
          }
        }
        if (!thread.registered) return { outcome: 'unregistered' as const, threadId: thread.id };
        if (STOP_COMMAND.test(message.text.trim())) {
          return { outcome: 'stop' as const, threadId: thread.id };
        }
        if (TASKS_COMMAND.test(message.text.trim())) {
          return { outcome: 'tasks' as const, threadId: thread.id, thread };
        }
        if (STATUS_COMMAND.test(message.text.trim())) {
          return { outcome: 'status' as const, threadId: thread.id, thread };
        }
        const pair = PAIR_COMMAND.exec(message.text.trim());
        if (pair) {
          return { outcome: 'pair' as const, threadId: thread.id, thread, code: pair[2]! };
        }
        const approval = APPROVAL_COMMAND.exec(message.text.trim());
        if (approval) {
          const decision =
            approval[1]!.toLowerCase() === 'approve'
              ? ('approved' as const)
              : ('rejected' as const);
          return {
            outcome: 'approval' as const,
            threadId: thread.id,
            decision,
            approvalId: Number(approval[3]),
          };
        }
        const user = await upsertUser(trx, {
          channel: message.channel,
          platformUserId: message.sender.platformUserId,
          name: message.sender.name,
          username: message.sender.username,
          allowed: allowedDirect,
        });
        const triggers = this.#triggers(message, thread);
        let { inserted, message: stored } = await insertMessage(trx, {
          threadId: thread.id,
          platformMessageId: message.platformMessageId,
          senderId: user.id,
          senderName: message.sender.name,
          role: 'user',
          content: message.text,
          replyTo: message.replyTo?.platformMessageId ?? null,
          triggers,
          sentAt: message.sentAt,
        });
        if (!inserted) return { outcome: 'duplicate' as const, threadId: thread.id };
        if (message.attachments.length > 0)
          stored = await this.#storeAttachments(trx, stored, message);
        // Addressing the assistant again supersedes what it was waiting for.
        if (triggers) await supersedePendingApprovals(trx, thread.id);
        return {
          outcome: triggers ? ('triggered' as const) : ('stored' as const),
          threadId: thread.id,
          stored,
        };
      }));
    this.#options.logger.debug(
      {
        jid: message.chat.jid,
        platformMessageId: message.platformMessageId,
        outcome: result.outcome,
      },
      'inbound message',
    );
    if (result.outcome === 'pairing') {
      if (result.replyId !== null)
        await this.#enqueueReply(message.channel, result.replyId, result.threadId);
    } else if (result.outcome === 'stop') {
      await this.#stop(result.threadId, message);
    } else if (result.outcome === 'tasks') {
      await this.#reply(
        result.threadId,
        message,
        await describeTasks(this.#options.db, result.thread),
      );
    } else if (result.outcome === 'status') {
      await this.#reply(
        result.threadId,
        message,
        await describeStatus(this.#options.db, result.thread),
      );
    } else if (result.outcome === 'approval') {
      await this.#decide(result.threadId, result.approvalId, result.decision, message);
    } else if (result.outcome === 'pair') {
      await this.#pair(result.thread, result.code, message);
    } else if ('stored' in result && result.stored) {
      // A run in progress takes the message at once as follow-up input; a trigger also asks
      // for a run. Both at once: neither depends on the other.
      await Promise.all([
        this.#publish(result.threadId, {
          type: 'message',
          message: asAgentMessage(result.stored),
        }),
        result.outcome === 'triggered' ? this.#options.drains.request(result.threadId) : null,
      ]);
    }
    return result.outcome;
  }

  /**
   * The common case in at most two statements and no transaction: a registered thread's
   * plain message is stored with its sender in one statement (see `storeUserMessage`), and
   * an unregistered group's message is only noted. Anything else (a direct chat to admit or
   * pair, a command, attachments) returns null and takes the transactional path.
   */
  async #storeFast(message: InboundMessage, allowedDirect: boolean) {
    const text = message.text.trim();
    if (message.attachments.length > 0 || COMMANDS.some((command) => command.test(text))) {
      return null;
    }
    const { db } = this.#options;
    const thread = await upsertThreadFromChat(db, {
      jid: message.chat.jid,
      channel: message.channel,
      platformChatId: message.chat.platformChatId,
      title: message.chat.title,
      isGroup: message.chat.isGroup,
    });
    if (!thread.registered) {
      return message.chat.isGroup
        ? { outcome: 'unregistered' as const, threadId: thread.id }
        : null;
    }
    const triggers = this.#triggers(message, thread);
    const stored = await storeUserMessage(db, {
      threadId: thread.id,
      channel: message.channel,
      sender: {
        platformUserId: message.sender.platformUserId,
        name: message.sender.name,
        username: message.sender.username,
        allowed: allowedDirect,
      },
      platformMessageId: message.platformMessageId,
      content: message.text,
      replyTo: message.replyTo?.platformMessageId ?? null,
      triggers,
      sentAt: message.sentAt,
      supersedeApprovals: triggers,
    });
    if (!stored) return { outcome: 'duplicate' as const, threadId: thread.id };
    return {
      outcome: triggers ? ('triggered' as const) : ('stored' as const),
      threadId: thread.id,
      stored,
    };
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
        assistantName: this.#options.assistantName,
        mentionsBot: message.mentionsBot,
        repliesToBot: message.replyTo?.fromBot ?? false,
      })
    );
  }

  /**
   * Records each attachment as an artifact (a reference to the platform's file, never its
   * bytes) and appends the references to the stored text, so the agent and the history see
   * them: `[image #12, 1280x853]`, `[file #13: report.pdf, application/pdf]`.
   */
  async #storeAttachments(
    trx: Kysely<Database>,
    stored: Message,
    message: InboundMessage,
  ): Promise<Message> {
    const references: string[] = [];
    for (const attachment of message.attachments) {
      const id = await insertArtifact(trx, {
        threadId: stored.thread_id,
        messageId: stored.id,
        kind: attachment.kind,
        url: null,
        storageKey: `${message.channel}:file:${attachment.platformFileId}`,
        prompt: null,
        analysis: null,
        metadata: { ...attachment },
      });
      const details = [
        attachment.fileName,
        attachment.width && attachment.height ? `${attachment.width}x${attachment.height}` : null,
        attachment.kind === 'file' ? attachment.mimeType : null,
      ].filter(Boolean);
      references.push(
        `[${attachment.kind} #${id}${details.length > 0 ? `: ${details.join(', ')}` : ''}]`,
      );
    }
    const content = [stored.content, ...references].filter((part) => part.length > 0).join('\n');
    return trx
      .updateTable('messages')
      .set({ content })
      .where('id', '=', stored.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Publishes without ever failing ingress: the message is stored, and the next run reads it anyway. */
  async #publish(threadId: number, event: ThreadEvent): Promise<void> {
    try {
      await this.#options.publish(threadId, event);
    } catch (error) {
      this.#options.logger.warn({ err: error, threadId }, 'could not publish a live thread event');
    }
  }

  /** Asks the worker running the thread to stop; says so when nothing is running. */
  async #stop(threadId: number, message: InboundMessage): Promise<void> {
    if (!(await hasLiveRun(this.#options.db, threadId)))
      return this.#reply(threadId, message, 'Nothing is running right now.');
    await this.#publish(threadId, { type: 'stop', by: message.sender.name });
  }

  /** Decides an approval and asks for the run that receives the decision. */
  async #decide(
    threadId: number,
    approvalId: number,
    decision: ApprovalDecision,
    message: InboundMessage,
  ): Promise<void> {
    const by = `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`;
    const outcome = await decideApproval(this.#options.db, { threadId, approvalId, decision, by });
    if (outcome === 'missing')
      return this.#reply(threadId, message, `There is no approval #${approvalId} in this chat.`);
    if (outcome === 'closed')
      return this.#reply(threadId, message, `Approval #${approvalId} is no longer pending.`);
    await this.#options.db
      .insertInto('audit_log')
      .values({
        actor: by,
        action: `approval.${decision}`,
        target: `approval:${approvalId}`,
        details: JSON.stringify({ thread: message.chat.jid, proposal: outcome.proposal }),
      })
      .execute();
    await this.#options.drains.request(threadId);
  }

  /**
   * `/pair <code>`: the admin's own chat (the main thread) approves a pairing code; other
   * chats are told where to do it.
   */
  async #pair(thread: Thread, code: string, message: InboundMessage): Promise<void> {
    if (!thread.is_main) {
      return this.#reply(
        thread.id,
        message,
        'Pairing codes are approved in the main chat, with gridbot pairing approve <code>, or in the dashboard.',
      );
    }
    const by = `${message.channel}:${message.sender.platformUserId} (${message.sender.name})`;
    const result = await approvePairing(this.#options.db, { code, by });
    const text =
      result.outcome === 'approved'
        ? `Approved ${result.request.user_name ?? result.request.platform_user_id}: ${result.request.jid} is answered from now on.`
        : result.outcome === 'already'
          ? `Code ${result.request.code} was approved already.`
          : result.outcome === 'expired'
            ? `Code ${code.toUpperCase()} has expired; the user gets a new one with their next message.`
            : `There is no pairing code ${code.toUpperCase()}.`;
    await this.#reply(thread.id, message, text);
  }

  /** A short system answer in the thread (not from the agent). */
  async #reply(threadId: number, message: InboundMessage, text: string): Promise<void> {
    const outboxId = await this.#insertReply(this.#options.db, threadId, message, text);
    await this.#enqueueReply(message.channel, outboxId, threadId);
  }

  /** Writes a system answer to the outbox (in `db`, which may be a transaction); returns its id. */
  async #insertReply(
    db: Kysely<Database>,
    threadId: number,
    message: InboundMessage,
    text: string,
  ): Promise<number> {
    const row = await insertOutbox(db, {
      threadId,
      runId: null,
      channel: message.channel,
      jid: message.chat.jid,
      text,
      replyTo: message.platformMessageId,
    });
    return row.id;
  }

  /** Asks egress to send an outbox row; if Redis is away, the sweeper re-enqueues it later. */
  async #enqueueReply(channel: string, outboxId: number, threadId: number): Promise<void> {
    await this.#options.queues.enqueueOutbound(channel, outboxId, threadId).catch(() => {});
  }

  async #edit(edit: InboundEdit): Promise<IngressOutcome> {
    const thread = await findThreadByJid(this.#options.db, edit.chat.jid);
    if (!thread?.registered) return 'unregistered';
    const updated = await updateMessageText(
      this.#options.db,
      thread.id,
      edit.platformMessageId,
      edit.text,
      edit.editedAt,
    );
    return updated ? 'edited' : 'ignored';
  }
}

/** What an unknown user is told in a direct chat, with the command that admits them. */
function pairingText(request: PairingRequest): string {
  const name = request.user_name ?? 'there';
  return (
    `Hi ${name}! I don't know you yet. Your pairing code is ${request.code} (valid for one hour). ` +
    `Ask an admin to approve it with: gridbot pairing approve ${request.code}`
  );
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
