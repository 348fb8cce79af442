import type { BehaviourConfig } from '@gridbot/core';
import type { Approval, Message, RunTarget, Thread } from '@gridbot/db';
import type { LlmUnavailableError } from '@gridbot/llm';
import type { Logger } from '@gridbot/service';

/** What one run is working with; shared by the steps below. */
export interface RunState {
  thread: Thread;
  /** Approval outcomes this run hands to the agent. */
  decisions: Approval[];
  /** Set when the agent asked for an approval: the run ends awaiting it. */
  awaitingApproval: number | null;
  /** The model provider failed after its retries; the run ends with this, not the agent's error. */
  providerError: LlmUnavailableError | null;
  /**
   * Postgres was away while serving one of the agent's requests: the run ends with this, so
   * the job waits for Postgres instead of using an attempt.
   */
  storageError: Error | null;
  config: BehaviourConfig;
  /** Whose defaults the run uses: a task it schedules belongs to them. */
  userId: number | null;
  pending: Message[];
  target: RunTarget;
  tokens: { input: number; output: number };
  /** Model calls the agent asked for so far (the worker ends the run past `max_steps`). */
  modelCalls: number;
  abort: AbortController;
  trigger: 'message' | 'task';
  /** A run without the thread's history (an isolated task). */
  isolated: boolean;
  /** Follow-up messages delivered to the agent, by id. */
  delivered: Set<number>;
  log: Logger;
  /** Hands the reply as the model writes it to the chat (see `RunBeacon.draft`); absent: no streaming. */
  draft?: (textSoFar: string) => void;
}
