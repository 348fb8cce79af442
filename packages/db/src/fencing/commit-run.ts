import type { MessageAction } from '@gridbot/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, OutboxRow } from '../database.ts';
import { type Approval, insertApproval, markApprovalsDelivered } from '../repos/approvals-repo.ts';
import { insertDeadLetter } from '../repos/dead-letters-repo.ts';
import { insertMessage } from '../repos/messages-repo.ts';
import { insertOutbox } from '../repos/outbox-repo.ts';
import { finishRun } from '../repos/runs-repo.ts';
import { type ThreadLease, withFencedTransaction } from './thread-lease.ts';

export interface Reply {
  text: string;
  replyTo: string | null;
  /** Buttons under the message (an approval request's Approve / Reject). */
  actions?: MessageAction[];
}

export interface RunTarget {
  lease: ThreadLease;
  runId: number;
  channel: string;
  jid: string;
}

export interface CommitRunInput extends RunTarget {
  replies: Reply[];
  /** Highest message id the run consumed; the thread's cursor moves here. */
  cursor: number;
  tokens: { input: number; output: number };
  /** `awaiting_approval` when the run ended by asking a human. */
  status?: 'succeeded' | 'awaiting_approval';
  /** Approval outcomes the run received; they are not handed to a run again. */
  deliveredApprovalIds?: number[];
}

/** Stores each reply's outbox row and assistant message; returns the rows to enqueue. */
async function writeReplies(
  trx: Transaction<Database>,
  target: RunTarget,
  replies: Reply[],
): Promise<OutboxRow[]> {
  const rows: OutboxRow[] = [];
  for (const reply of replies) {
    const row = await insertOutbox(trx, {
      threadId: target.lease.threadId,
      runId: target.runId,
      channel: target.channel,
      jid: target.jid,
      text: reply.text,
      replyTo: reply.replyTo,
      ...(reply.actions && { actions: reply.actions }),
    });
    await insertMessage(trx, {
      threadId: target.lease.threadId,
      platformMessageId: `out-${row.id}`,
      senderId: null,
      senderName: 'assistant',
      role: 'assistant',
      content: reply.text,
      replyTo: reply.replyTo,
      triggers: false,
      sentAt: new Date(),
    });
    rows.push(row);
  }
  return rows;
}

async function advanceCursor(
  trx: Transaction<Database>,
  threadId: number,
  cursor: number,
  status: string,
) {
  await trx
    .updateTable('threads')
    .set({ cursor: sql<number>`greatest(cursor, ${cursor})`, status, last_activity: new Date() })
    .where('id', '=', threadId)
    .execute();
}

/**
 * Design step 5, in one fenced transaction: the assistant's messages, their outbox rows,
 * the run's record and the advanced cursor. Throws `LeaseLostError` (nothing written) when
 * the lease was taken over. Enqueue the returned rows after it resolves.
 */
export async function commitRun(db: Kysely<Database>, input: CommitRunInput): Promise<OutboxRow[]> {
  return withFencedTransaction(db, input.lease, async (trx) => {
    const rows = await writeReplies(trx, input, input.replies);
    await advanceCursor(trx, input.lease.threadId, input.cursor, 'ok');
    await finishRun(trx, input.runId, input.status ?? 'succeeded', null, input.tokens);
    await markApprovalsDelivered(trx, input.deliveredApprovalIds ?? []);
    return rows;
  });
}

/**
 * Records a pending approval and posts its request in the thread, under the run's fence,
 * with Approve / Reject buttons (`approve:<id>`, `reject:<id>`; see `approvalActions`).
 * `text` receives the approval id (for `/approve <id>`, which a platform without buttons needs).
 */
export async function commitApprovalRequest(
  db: Kysely<Database>,
  target: RunTarget,
  input: {
    proposal: Record<string, unknown>;
    expiresAt: Date;
    /** The user whose message led to the request (see `decideApproval`). */
    requestedBy?: number | null;
    text: (approvalId: number) => string;
  },
): Promise<{ approval: Approval; row: OutboxRow }> {
  return withFencedTransaction(db, target.lease, async (trx) => {
    const approval = await insertApproval(trx, {
      threadId: target.lease.threadId,
      runId: target.runId,
      proposal: input.proposal,
      expiresAt: input.expiresAt,
      requestedBy: input.requestedBy ?? null,
    });
    const [row] = await writeReplies(trx, target, [
      { text: input.text(approval.id), replyTo: null, actions: approvalActions(approval.id) },
    ]);
    return { approval, row: row! };
  });
}

/** The buttons of an approval request; a press comes back as `approve:<id>` or `reject:<id>`. */
export function approvalActions(approvalId: number): MessageAction[] {
  return [
    { id: `approve:${approvalId}`, label: 'Approve', style: 'primary' },
    { id: `reject:${approvalId}`, label: 'Reject', style: 'danger' },
  ];
}

/**
 * A drain that runs no agent (e.g. the thread's daily token budget is spent): moves the
 * cursor past the messages and, when `notice` is given, tells the thread and records the
 * day it was told. Fenced like a run.
 */
export async function commitSkippedDrain(
  db: Kysely<Database>,
  lease: ThreadLease,
  input: {
    channel: string;
    jid: string;
    cursor: number;
    notice: { text: string; day: string } | null;
  },
): Promise<OutboxRow[]> {
  return withFencedTransaction(db, lease, async (trx) => {
    const rows = input.notice
      ? [
          await insertOutbox(trx, {
            threadId: lease.threadId,
            runId: null,
            channel: input.channel,
            jid: input.jid,
            text: input.notice.text,
            replyTo: null,
          }),
        ]
      : [];
    await trx
      .updateTable('threads')
      .set({
        cursor: sql<number>`greatest(cursor, ${input.cursor})`,
        ...(input.notice && { budget_notice_on: input.notice.day }),
      })
      .where('id', '=', lease.threadId)
      .execute();
    return rows;
  });
}

/** Sends a message now, mid-run (the agent's `chat.send`), under the same fence. */
export async function commitChatSend(
  db: Kysely<Database>,
  target: RunTarget,
  reply: Reply,
): Promise<OutboxRow> {
  return withFencedTransaction(db, target.lease, async (trx) => {
    const [row] = await writeReplies(trx, target, [reply]);
    return row!;
  });
}

/**
 * After the last attempt (or a failure no retry can fix, or a stop): tells the thread once,
 * moves the cursor past the messages of the run (so they are not retried forever) and
 * records the run's end. A cancelled run leaves the thread healthy; a failed one marks it.
 */
export async function commitFailure(
  db: Kysely<Database>,
  input: RunTarget & {
    notice: string;
    cursor: number;
    error: string;
    status?: 'failed' | 'cancelled';
    tokens?: { input: number; output: number };
    /** False keeps the messages unanswered for a later run (e.g. the model provider was down). */
    advanceCursor?: boolean;
    /**
     * The messages skipped, when the cursor moves past them after a failure: recorded as a
     * dead letter an operator may retry. `afterCursor` is the cursor before the run.
     */
    deadLetter?: { afterCursor: number; messages: number; attempts: number };
  },
): Promise<OutboxRow[]> {
  const status = input.status ?? 'failed';
  return withFencedTransaction(db, input.lease, async (trx) => {
    const rows = await writeReplies(trx, input, [{ text: input.notice, replyTo: null }]);
    const cursor = input.advanceCursor === false ? 0 : input.cursor;
    await advanceCursor(trx, input.lease.threadId, cursor, status === 'failed' ? 'failed' : 'ok');
    await finishRun(trx, input.runId, status, input.error, input.tokens);
    const letter = input.deadLetter;
    if (letter && input.advanceCursor !== false && cursor > letter.afterCursor) {
      await insertDeadLetter(trx, {
        threadId: input.lease.threadId,
        runId: input.runId,
        afterCursor: letter.afterCursor,
        lastMessageId: cursor,
        messages: letter.messages,
        error: input.error,
        attempts: letter.attempts,
      });
    }
    return rows;
  });
}
