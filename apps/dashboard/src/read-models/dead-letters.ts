import type { DeadLetter } from '@gridbot/db';

/** A dead letter as the API and the page show it. */
export interface DeadLetterView {
  id: number;
  threadId: number;
  jid: string;
  threadTitle: string | null;
  messages: number;
  error: string;
  attempts: number;
  status: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export function deadLetterView(
  row: DeadLetter & { jid: string; title: string | null },
): DeadLetterView {
  return {
    id: row.id,
    threadId: row.thread_id,
    jid: row.jid,
    threadTitle: row.title,
    messages: row.messages,
    error: row.error,
    attempts: row.attempts,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resolvedBy: row.resolved_by,
  };
}
