import type { BehaviourConfig } from '@gridbot/core';
import type { Approval, Message, Thread, ThreadLease } from '@gridbot/db';
import type { Logger } from '@gridbot/service';

/** What a run is for: the messages the agent gets and what happens around the commit. */
export interface RunPlan {
  trigger: 'message' | 'task';
  /** New messages for the agent; the cursor moves past the last (a task's prompt has id 0). */
  pending: Message[];
  decisions: Approval[];
  /** Run without the thread's history. */
  isolated: boolean;
  /** The effective settings of the run (see `resolveBehaviour`). */
  config: BehaviourConfig;
  /** Whose defaults `config` holds (the person the run answers, a task's owner), or null. */
  userId: number | null;
  /** After the reply is committed. */
  onCommitted?: (reply: string | null, runId: number) => Promise<void>;
  /** After a final failure, before the thread is told. */
  onFailed?: (error: Error, runId: number) => Promise<void>;
}

/**
 * The thread's effective settings for a run started by the person with this user id (their
 * defaults apply), or by nobody in particular (null: a task).
 */
export type ConfigFor = (userId: number | null) => Promise<BehaviourConfig>;

/** Decides, under the thread's lease, what to run; a string says why nothing runs. */
export type Planner = (
  thread: Thread,
  configFor: ConfigFor,
  lease: ThreadLease,
  log: Logger,
) => Promise<RunPlan | string>;
