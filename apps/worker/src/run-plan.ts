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
  /** After the reply is committed. */
  onCommitted?: (reply: string | null, runId: number) => Promise<void>;
  /** After a final failure, before the thread is told. */
  onFailed?: (error: Error, runId: number) => Promise<void>;
}

/** Decides, under the thread's lease, what to run; a string says why nothing runs. */
export type Planner = (
  thread: Thread,
  config: BehaviourConfig,
  lease: ThreadLease,
  log: Logger,
) => Promise<RunPlan | string>;
