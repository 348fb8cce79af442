import { type Kysely, sql } from 'kysely';
import type { AgentRun, Database, RunStatus } from '../database.ts';

export interface StartRunInput {
  threadId: number;
  trigger: 'message' | 'task' | 'manual';
  worker: string;
  jobId: string | null;
  attempt: number;
  leaseToken: number;
}

/** Records the start of a run. */
export async function startRun(db: Kysely<Database>, input: StartRunInput): Promise<AgentRun> {
  return db
    .insertInto('agent_runs')
    .values({
      thread_id: input.threadId,
      trigger: input.trigger,
      status: 'running',
      worker: input.worker,
      job_id: input.jobId,
      attempt: input.attempt,
      lease_token: input.leaseToken,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Records which agent (container or process id) serves the run, for operators. */
export async function recordRunAgent(
  db: Kysely<Database>,
  runId: number,
  agentId: string,
): Promise<void> {
  await db.updateTable('agent_runs').set({ container: agentId }).where('id', '=', runId).execute();
}

/** Records how a run ended (not fenced: use the commit for successful runs). */
export async function finishRun(
  db: Kysely<Database>,
  runId: number,
  status: RunStatus,
  error: string | null,
  tokens?: { input: number; output: number },
): Promise<void> {
  await db
    .updateTable('agent_runs')
    .set({
      status,
      error,
      finished_at: new Date(),
      ...(tokens && { input_tokens: tokens.input, output_tokens: tokens.output }),
    })
    .where('id', '=', runId)
    .execute();
}

export async function listRuns(db: Kysely<Database>, threadId: number): Promise<AgentRun[]> {
  return db
    .selectFrom('agent_runs')
    .selectAll()
    .where('thread_id', '=', threadId)
    .orderBy('id')
    .execute();
}

/**
 * Whether a run of the thread is going on now: its lease is held and unexpired (taken
 * before the run subscribes to the thread's events, released after it ends).
 */
export async function hasLiveRun(db: Kysely<Database>, threadId: number): Promise<boolean> {
  const row = await db
    .selectFrom('threads')
    .select('id')
    .where('id', '=', threadId)
    .where('lease_owner', 'is not', null)
    .where('lease_expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row !== undefined;
}
