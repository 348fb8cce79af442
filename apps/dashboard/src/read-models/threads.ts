import type { BehaviourConfig } from '@gridbot/core';
import type { AgentRun, Database, GlobalBehaviour, Message, Thread } from '@gridbot/db';
import { type Kysely, sql } from 'kysely';
import { type ThreadBehaviourView, threadBehaviour } from './behaviour.ts';

/** A thread as the dashboard shows it. */
export interface ThreadView {
  id: number;
  jid: string;
  channel: string;
  title: string | null;
  isGroup: boolean;
  registered: boolean;
  isMain: boolean;
  requiresTrigger: boolean;
  /** The thread's own trigger, or null for the default (`@<assistant>`). */
  triggerPattern: string | null;
  /** `ok`, or `failed` after a run exhausted its retries. */
  status: string;
  lastActivity: string;
  createdAt: string;
}

/** A row of the thread list: the thread and how much it holds. */
export interface ThreadSummary extends ThreadView {
  counts: { messages: number; runs: number; tasks: number };
}

/** One thread with its behaviour overrides and the config a run would resolve. */
export interface ThreadDetail {
  thread: ThreadView;
  /** The thread's stored overrides, as stored. */
  config: Record<string, unknown>;
  /**
   * What the thread's next run resolves: the workers' published global settings, the
   * defaults of the person who addressed the assistant last, the thread's overrides.
   */
  resolvedConfig: BehaviourConfig;
  /** Each key with its value, where it comes from, and the thread's own value. */
  behaviour: ThreadBehaviourView;
}

export interface MessageView {
  id: number;
  platformMessageId: string;
  role: 'user' | 'assistant' | 'system';
  senderName: string;
  content: string;
  triggers: boolean;
  replyTo: string | null;
  sentAt: string;
  editedAt: string | null;
}

export interface RunView {
  id: number;
  trigger: string;
  status: string;
  worker: string;
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  /** Null while the run is going. */
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  error: string | null;
}

export function threadView(row: Thread): ThreadView {
  return {
    id: row.id,
    jid: row.jid,
    channel: row.channel,
    title: row.title,
    isGroup: row.is_group,
    registered: row.registered,
    isMain: row.is_main,
    requiresTrigger: row.requires_trigger,
    triggerPattern: row.trigger_pattern,
    status: row.status,
    lastActivity: row.last_activity.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Threads whose JID or title contains `q` (any case), newest activity first, with their
 * message, run and (not cancelled) task counts.
 */
export async function listThreadSummaries(
  db: Kysely<Database>,
  options: { q?: string; registered?: boolean; limit: number },
): Promise<ThreadSummary[]> {
  let query = db
    .selectFrom('threads')
    .selectAll('threads')
    .select((eb) => [
      eb
        .selectFrom('messages')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('messages.thread_id', '=', 'threads.id')
        .as('message_count'),
      eb
        .selectFrom('agent_runs')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('agent_runs.thread_id', '=', 'threads.id')
        .as('run_count'),
      eb
        .selectFrom('scheduled_tasks')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('scheduled_tasks.thread_id', '=', 'threads.id')
        .where('scheduled_tasks.status', '!=', 'cancelled')
        .as('task_count'),
    ])
    .orderBy('threads.last_activity', 'desc')
    .orderBy('threads.id', 'desc')
    .limit(options.limit);
  const q = options.q?.trim();
  if (q) {
    const pattern = `%${likeLiteral(q)}%`;
    query = query.where((eb) =>
      eb.or([eb('threads.jid', 'ilike', pattern), eb('threads.title', 'ilike', pattern)]),
    );
  }
  if (options.registered !== undefined) {
    query = query.where('threads.registered', '=', options.registered);
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    ...threadView(row),
    counts: {
      messages: row.message_count ?? 0,
      runs: row.run_count ?? 0,
      tasks: row.task_count ?? 0,
    },
  }));
}

/** The thread with its overrides and the settings its next run resolves. */
export async function threadDetail(
  db: Kysely<Database>,
  row: Thread,
  globals: GlobalBehaviour,
): Promise<ThreadDetail> {
  const behaviour = await threadBehaviour(db, row, globals);
  return {
    thread: threadView(row),
    config: row.config,
    resolvedConfig: behaviour.resolved,
    behaviour,
  };
}

function messageView(row: Message): MessageView {
  return {
    id: row.id,
    platformMessageId: row.platform_message_id,
    role: row.role,
    senderName: row.sender_name,
    content: row.content,
    triggers: row.triggers,
    replyTo: row.reply_to,
    sentAt: row.sent_at.toISOString(),
    editedAt: row.edited_at?.toISOString() ?? null,
  };
}

/**
 * A page of the thread's messages, oldest first: the last `limit` before the message id
 * `before` (or the latest). `hasMore` says whether older ones remain.
 */
export async function threadMessages(
  db: Kysely<Database>,
  threadId: number,
  options: { before?: number; limit: number },
): Promise<{ messages: MessageView[]; hasMore: boolean }> {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('thread_id', '=', threadId)
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  const rows = await query.execute();
  const hasMore = rows.length > options.limit;
  return { messages: rows.slice(0, options.limit).reverse().map(messageView), hasMore };
}

function runView(row: AgentRun): RunView {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    worker: row.worker,
    attempt: row.attempt,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    durationMs: row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    error: row.error,
  };
}

/** The thread's last `limit` runs, newest first. */
export async function threadRuns(
  db: Kysely<Database>,
  threadId: number,
  limit: number,
): Promise<RunView[]> {
  const rows = await db
    .selectFrom('agent_runs')
    .selectAll()
    .where('thread_id', '=', threadId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(runView);
}
