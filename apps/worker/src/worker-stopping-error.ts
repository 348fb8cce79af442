import { GridBotError } from '@gridbot/core';

/**
 * The reason a run is aborted when its worker stops before the run finished: the run is
 * handed back (its job returns to the queue without using an attempt) for another worker.
 */
export class WorkerStoppingError extends GridBotError {
  constructor() {
    super('the worker is stopping; the run was handed back to the queue');
    this.name = 'WorkerStoppingError';
  }
}
