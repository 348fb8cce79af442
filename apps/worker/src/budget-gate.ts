import type { BehaviourConfig } from '@gridbot/core';
import {
  commitSkippedDrain,
  type Database,
  type Message,
  type OutboxRow,
  type Thread,
  type ThreadLease,
  todayIn,
  tokensUsedToday,
} from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';

export interface BudgetGateOptions {
  db: Kysely<Database>;
  /** Hands committed outbox rows to the channel's outbound queue. */
  enqueue: (channel: string, rows: OutboxRow[]) => Promise<void>;
}

/**
 * The thread's daily token budget: when spent, no run starts; the thread is told once a day
 * and the messages count as seen (they stay history for tomorrow's runs).
 */
export class BudgetGate {
  readonly #o: BudgetGateOptions;

  constructor(options: BudgetGateOptions) {
    this.#o = options;
  }

  /** True (and the skip committed under the lease) when the budget is spent. */
  async spent(
    lease: ThreadLease,
    thread: Thread,
    pending: Message[],
    config: BehaviourConfig,
    log: Logger,
  ): Promise<boolean> {
    const budget = config.daily_token_budget;
    if (budget <= 0) return false;
    const used = await tokensUsedToday(this.#o.db, thread.id, config.timezone);
    if (used < budget) return false;
    const day = await todayIn(this.#o.db, config.timezone);
    const notice =
      thread.budget_notice_on === day
        ? null
        : {
            day,
            text: `I have used today's token budget for this chat (${used} of ${budget} tokens), so I will answer again tomorrow.`,
          };
    const rows = await commitSkippedDrain(this.#o.db, lease, {
      channel: thread.channel,
      jid: thread.jid,
      cursor: pending.at(-1)?.id ?? thread.cursor,
      notice,
    });
    await this.#o.enqueue(thread.channel, rows);
    log.info({ used, budget, told: notice !== null }, 'daily token budget spent; no run');
    return true;
  }
}
