import type { MessageAction } from '@gridbot/core';
import type { Database, OutboxDocument } from '@gridbot/db';
import { type Kysely, sql } from 'kysely';

/** One bubble of the web chat. */
export interface ChatEntry {
  role: 'user' | 'assistant';
  /** Platform ids: the user's message id, or the ids of a reply's sent chunks. */
  ids: string[];
  text: string;
  at: string;
  /** A file sent to the chat, fetched from `documents/<id>`. */
  document?: { id: string; fileName: string; mimeType: string; bytes: number };
  /** The buttons of an approval request still pending (a decided one shows none). */
  actions?: MessageAction[];
  /** Images sent with a user's message (artifact numbers), served from `images/<id>`. */
  images?: number[];
}

/**
 * The conversation of a web thread as its page shows it: the operator's messages, and the
 * replies the egress has delivered (outbox rows with at least one chunk sent), whose chunk
 * ids match the ids pushed live, so the page can merge both without duplicates.
 */
export async function webHistory(
  db: Kysely<Database>,
  jid: string,
  limit = 200,
): Promise<ChatEntry[]> {
  const thread = await db
    .selectFrom('threads')
    .select('id')
    .where('jid', '=', jid)
    .executeTakeFirst();
  if (!thread) return [];
  const [messages, replies] = await Promise.all([
    db
      .selectFrom('messages')
      .select((eb) => [
        'platform_message_id',
        'content',
        'sent_at',
        eb
          .selectFrom('artifacts')
          .select(sql<number[]>`array_agg(artifacts.id order by artifacts.id)`.as('ids'))
          .whereRef('artifacts.message_id', '=', 'messages.id')
          .where('artifacts.kind', '=', 'image')
          .where('artifacts.storage_key', 'is not', null)
          .as('images'),
      ])
      .where('thread_id', '=', thread.id)
      .where('role', '=', 'user')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('outbox')
      // Not the payload itself: a document's content may be megabytes.
      .select([
        'id',
        sql<string>`payload->>'text'`.as('text'),
        sql<{
          fileName: string;
          mimeType: string;
          bytes: number;
        } | null>`case when payload ? 'document' then jsonb_build_object('fileName', payload->'document'->'fileName', 'mimeType', payload->'document'->'mimeType', 'bytes', octet_length(payload->'document'->>'content')) end`.as(
          'document',
        ),
        sql<MessageAction[] | null>`payload->'actions'`.as('actions'),
        'platform_message_ids',
        'created_at',
      ])
      .where('thread_id', '=', thread.id)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
  ]);
  const pending = await pendingApprovals(db, thread.id, replies);
  const entries: ChatEntry[] = [
    ...messages.map((m) => ({
      role: 'user' as const,
      ids: [m.platform_message_id],
      text: m.content,
      at: m.sent_at.toISOString(),
      ...(m.images && { images: m.images }),
    })),
    ...replies
      .filter((r) => r.platform_message_ids.length > 0)
      .map((r) => ({
        role: 'assistant' as const,
        ids: r.platform_message_ids,
        text: r.text,
        at: r.created_at.toISOString(),
        ...(r.document && { document: { id: String(r.id), ...r.document } }),
        ...(r.actions?.some((a) => pending.has(approvalOf(a))) && { actions: r.actions }),
      })),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at)).slice(-limit);
}

/** The approval a button decides (`approve:12`: 12), or 0. */
function approvalOf(action: MessageAction): number {
  return Number(/^(?:approve|reject):(\d{1,12})$/.exec(action.id)?.[1] ?? 0);
}

/** Which of the approvals the replies' buttons decide are still pending. */
async function pendingApprovals(
  db: Kysely<Database>,
  threadId: number,
  replies: { actions: MessageAction[] | null }[],
): Promise<Set<number>> {
  const ids = [...new Set(replies.flatMap((r) => (r.actions ?? []).map(approvalOf)))].filter(
    (id) => id > 0,
  );
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('approvals')
    .select('id')
    .where('thread_id', '=', threadId)
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** A file sent to a web chat (its outbox row), or null when the chat has no such file. */
export async function webDocument(
  db: Kysely<Database>,
  jid: string,
  outboxId: number,
): Promise<OutboxDocument | null> {
  const row = await db
    .selectFrom('outbox')
    .select('payload')
    .where('id', '=', outboxId)
    .where('jid', '=', jid)
    .executeTakeFirst();
  return row?.payload.document ?? null;
}

/** An image sent in a web chat (its artifact), or null when the chat has no such image. */
export async function webImage(
  db: Kysely<Database>,
  jid: string,
  artifactId: number,
): Promise<{ storageKey: string; mimeType: string } | null> {
  const row = await db
    .selectFrom('artifacts')
    .innerJoin('threads', 'threads.id', 'artifacts.thread_id')
    .select([
      'artifacts.storage_key',
      sql<string | null>`artifacts.metadata->>'mimeType'`.as('mime'),
    ])
    .where('artifacts.id', '=', artifactId)
    .where('threads.jid', '=', jid)
    .where('artifacts.kind', '=', 'image')
    .executeTakeFirst();
  if (!row?.storage_key || !row.mime) return null;
  return { storageKey: row.storage_key, mimeType: row.mime };
}
