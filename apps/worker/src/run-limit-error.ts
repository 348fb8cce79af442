import { GridBotError } from '@gridbot/core';

/**
 * The worker ended a run at one of its limits, whatever the agent program does: more model
 * calls than `max_steps`, or the daily token budget spent during the run.
 */
export class RunLimitError extends GridBotError {
  readonly limit: 'max_steps' | 'daily_token_budget';
  constructor(limit: RunLimitError['limit'], message: string) {
    super(message);
    this.name = 'RunLimitError';
    this.limit = limit;
  }
}
