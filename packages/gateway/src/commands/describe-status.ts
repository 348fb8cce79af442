import {
  type Database,
  effectiveBehaviour,
  type GlobalBehaviour,
  hasLiveRun,
  listTasks,
  listUpWorkers,
  type Thread,
  tokensUsedToday,
  type User,
} from '@gridbot/db';
import { type Kysely, sql } from 'kysely';
import { SOURCE_LABEL } from './settings-command.ts';

/** A worker counts as up while its heartbeat is at most this old. */
const FRESH_MS = 60_000;

export interface StatusInput {
  thread: Thread;
  /** Who asked: their defaults apply to the model and budget shown. */
  user: User;
  globals: GlobalBehaviour;
  assistantName: string;
}

/** The thread's trigger in words. */
function triggerOf(thread: Thread, assistantName: string): string {
  if (!thread.requires_trigger || !thread.is_group) return 'every message (no trigger needed)';
  if (thread.trigger_pattern)
    return `messages matching ${thread.trigger_pattern}, mentions and replies to me`;
  return `messages starting with @${assistantName}, mentions and replies to me`;
}

/**
 * The `/status` answer: whether the chat is registered and how it triggers, the model and
 * provider its runs use, the workers that can answer and whether their agents are isolated
 * (a loud warning when they are not), whether a run is live or waiting, today's tokens
 * against the budget, pending approvals, and the chat's tasks.
 */
export async function describeStatus(db: Kysely<Database>, input: StatusInput): Promise<string> {
  const { thread, user, globals } = input;
  const { config, sources } = effectiveBehaviour(globals.config, thread, user);
  const [workers, live, waiting, tasks, used, approvals] = await Promise.all([
    listUpWorkers(db, new Date(Date.now() - FRESH_MS)),
    hasLiveRun(db, thread.id),
    db
      .selectFrom('messages')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('thread_id', '=', thread.id)
      .where('id', '>', thread.cursor)
      .where('triggers', '=', true)
      .executeTakeFirstOrThrow(),
    listTasks(db, thread.id),
    tokensUsedToday(db, thread.id, config.timezone),
    db
      .selectFrom('approvals')
      .select('id')
      .where('thread_id', '=', thread.id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
      .orderBy('id')
      .execute(),
  ]);
  const kind = thread.is_main ? 'the main chat' : thread.is_group ? 'a group' : 'a direct chat';
  const lines = [
    'GridBot status',
    `This chat: registered, ${kind}; I answer ${triggerOf(thread, input.assistantName)}`,
    `Model: ${config.model} (${SOURCE_LABEL[sources.model]}) via ${globals.provider ?? 'the workers’ provider (no worker up)'}`,
  ];
  if (workers.length === 0) {
    lines.push('No worker is up: messages wait until one starts.');
  } else {
    const versions = [...new Set(workers.map((w) => w.version))].join(', ');
    lines.push(`Workers up: ${workers.length} (version ${versions})`);
    const unisolated = workers.filter((w) => w.agent_runtime === 'process');
    lines.push(
      unisolated.length === 0
        ? 'Agents: isolated in Docker containers'
        : `Warning: agents are NOT isolated on ${unisolated.map((w) => `${w.host} (pid ${w.pid})`).join(', ')}: they run as plain processes with the machine's rights, not in Docker`,
    );
  }
  const queued = waiting.n;
  lines.push(
    live
      ? 'Run: one is in progress (/stop cancels it)'
      : queued > 0
        ? `Run: waiting to start (${queued} message${queued === 1 ? '' : 's'} to answer)`
        : 'Run: none in progress, nothing waiting',
  );
  const budget = config.daily_token_budget;
  lines.push(
    budget > 0
      ? `Tokens today (${config.timezone}): ${used} of ${budget} (${Math.min(100, Math.round((used / budget) * 100))}%)`
      : `Tokens today (${config.timezone}): ${used} (no daily budget)`,
  );
  lines.push(
    approvals.length === 0
      ? 'Pending approvals: none'
      : `Pending approvals: ${approvals.length} (${approvals.map((a) => `#${a.id}`).join(', ')}; /approve <id> or /reject <id>)`,
  );
  const active = tasks.filter((t) => t.status === 'active').length;
  lines.push(`Scheduled tasks: ${active} active`);
  return lines.join('\n');
}

/** The `/status` answer in a chat that is not registered: how an admin registers it. */
export function describeUnregistered(thread: Thread): string {
  return `GridBot status\nThis chat is not registered, so I do not answer here. An admin can register it: gridbot threads register ${thread.jid} (or in the dashboard).`;
}
