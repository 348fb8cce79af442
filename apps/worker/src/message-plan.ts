import type { BehaviourConfig } from '@gridbot/core';
import {
  type Database,
  type Message,
  messagesAfter,
  type Thread,
  undeliveredDecisions,
} from '@gridbot/db';
import type { Kysely } from 'kysely';
import type { ConfigFor, RunPlan } from './run-plan.ts';

/** Most new messages handed to one run; the rest wait for the next. */
export const MAX_NEW_MESSAGES = 200;

export interface MessagePlanInput {
  db: Kysely<Database>;
  thread: Thread;
  /** The settings for a run the given person started. */
  configFor: ConfigFor;
  /** True when the thread may not run now (its token budget is spent; the skip is committed). */
  skip: (pending: Message[], config: BehaviourConfig) => Promise<boolean>;
  /** Asks for another run of the thread (a backlog larger than one run). */
  drainAgain: () => Promise<void>;
}

/**
 * A drain's run (beside `planTask`, a task's): the messages past the cursor and the approval
 * outcomes not yet handed to an agent. Nothing runs without a triggering message or an
 * outcome, or when the budget is spent; a string says why. The settings are those of the
 * person who addressed the assistant last (their defaults, under the thread's overrides), or
 * of whoever asked for the approval being answered.
 */
export async function planMessages(input: MessagePlanInput): Promise<RunPlan | string> {
  const { db, thread } = input;
  const [pending, decisions] = await Promise.all([
    messagesAfter(db, thread.id, thread.cursor, MAX_NEW_MESSAGES),
    undeliveredDecisions(db, thread.id),
  ]);
  if (!pending.some((m) => m.triggers) && decisions.length === 0) return 'nothing to answer';
  const sender =
    pending.filter((m) => m.triggers).at(-1)?.sender_id ??
    decisions.find((d) => d.requested_by !== null)?.requested_by ??
    null;
  const config = await input.configFor(sender);
  if (await input.skip(pending, config)) return 'over budget';
  return {
    trigger: 'message',
    pending,
    decisions,
    isolated: false,
    config,
    userId: sender,
    onCommitted: async () => {
      // A backlog larger than one run: ask for another run rather than leave it stranded.
      if (pending.length === MAX_NEW_MESSAGES) await input.drainAgain().catch(() => {});
    },
  };
}
