import { GridBotError } from '@gridbot/core';

/** The command line was wrong; the message says how to call it. */
export class UsageError extends GridBotError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
