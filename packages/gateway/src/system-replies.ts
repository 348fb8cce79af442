import type { InboundMessage } from '@gridbot/core';
import { type Database, insertOutbox, type OutboxDocument } from '@gridbot/db';
import type { PipelineQueues } from '@gridbot/queue';
import type { Kysely } from 'kysely';

/** Short answers from GridBot itself in a thread (not from the agent), through the outbox. */
export class SystemReplies {
  readonly #db: Kysely<Database>;
  readonly #queues: PipelineQueues;

  constructor(db: Kysely<Database>, queues: PipelineQueues) {
    this.#db = db;
    this.#queues = queues;
  }

  /** Answers `message` in its thread with `text`. */
  async reply(threadId: number, message: InboundMessage, text: string): Promise<void> {
    const outboxId = await this.insert(this.#db, threadId, message, text);
    await this.enqueue(message.channel, outboxId, threadId);
  }

  /** Answers `message` in its thread with a file, `caption` shown with it. */
  async document(
    threadId: number,
    message: InboundMessage,
    caption: string,
    document: OutboxDocument,
  ): Promise<void> {
    const row = await insertOutbox(this.#db, {
      threadId,
      runId: null,
      channel: message.channel,
      jid: message.chat.jid,
      text: caption,
      replyTo: message.platformMessageId,
      document,
    });
    await this.enqueue(message.channel, row.id, threadId);
  }

  /** Writes the answer to the outbox (in `db`, which may be a transaction); returns its id. */
  async insert(
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
  async enqueue(channel: string, outboxId: number, threadId: number): Promise<void> {
    await this.#queues.enqueueOutbound(channel, outboxId, threadId).catch(() => {});
  }
}
