import { RunCancelledError, type RunFinishParams } from '@gridbot/core';
import {
  type Database,
  historyBefore,
  isDatabaseUnavailable,
  listMemories,
  type MemoryCap,
  type OutboxRow,
  recordRunAgent,
} from '@gridbot/db';
import type { LlmProvider } from '@gridbot/llm';
import type { PipelineQueues, ThreadEvent } from '@gridbot/queue';
import { type AgentRequestHandlers, AgentSession } from '@gridbot/runner';
import type { ArtifactStore } from '@gridbot/service';
import type { Kysely } from 'kysely';
import type { AgentLauncher } from './agent-launcher.ts';
import { agentRequestHandlers } from './agent-requests.ts';
import { buildInit } from './build-init.ts';
import { fitInitToLine } from './fit-init.ts';
import { imageNotes } from './image-notes.ts';
import { runRequestHandlers } from './run-requests.ts';
import type { RunState } from './run-state.ts';
import { type OperatorLimits, threadLimits } from './thread-limits.ts';
import { enforcingToolPolicy } from './tool-policy.ts';

export interface AgentRunDeps {
  db: Kysely<Database>;
  queues: PipelineQueues;
  launcher: AgentLauncher;
  llm: LlmProvider;
  assistantName: string;
  limits: OperatorLimits;
  /** Most tasks (active or paused) an agent may give one thread. */
  maxTasksPerThread?: number;
  /** Shortest gap between firings of a non-main thread's tasks. */
  minTaskIntervalMs?: number;
  /** The most one memory may hold. */
  memoryCap?: MemoryCap;
  /** Tools the model is never offered (the worker enforces it, not the agent). */
  withheldTools?: ReadonlySet<string>;
  /** Hands committed outbox rows to the channel's outbound queue. */
  enqueue: (channel: string, rows: OutboxRow[]) => Promise<void>;
  /** Where the gateways keep people's images; without it the model sees none. */
  artifactStore?: ArtifactStore;
}

/** What an agent starts with besides its new messages. */
export interface AgentContext {
  history: Awaited<ReturnType<typeof historyBefore>>;
  threadMemory: Awaited<ReturnType<typeof listMemories>>;
  globalMemory: Awaited<ReturnType<typeof listMemories>>;
}

/** History (none for an isolated run) and memory the agent starts with. */
export async function loadAgentContext(
  db: Kysely<Database>,
  state: Pick<RunState, 'thread' | 'config' | 'isolated'>,
): Promise<AgentContext> {
  const { thread, config } = state;
  const [history, threadMemory, globalMemory] = await Promise.all([
    state.isolated
      ? []
      : historyBefore(db, thread.id, thread.cursor, config.history_limit, thread.history_from),
    listMemories(db, thread.id),
    listMemories(db, null),
  ]);
  return { history, threadMemory, globalMemory };
}

/**
 * The agent's part of a run: starts (or reuses) the thread's agent, serves its requests,
 * hands it follow-up messages as they arrive and stops it on `/stop`, until it finishes.
 * Returns what it said at the end; the caller commits it.
 */
export async function runAgent(
  deps: AgentRunDeps,
  state: RunState,
  { history, threadMemory, globalMemory }: AgentContext,
  listen: (handler: (event: ThreadEvent) => void) => void,
): Promise<RunFinishParams> {
  const { db } = deps;
  const { thread, pending, config } = state;
  const runId = state.target.runId;
  const notes = await imageNotes(deps, { ...state, runId }, [...history, ...pending]);
  const init = fitInitToLine(
    buildInit({
      trigger: state.trigger,
      assistantName: deps.assistantName,
      runId,
      thread,
      config,
      pending,
      history,
      memory: {
        thread: threadMemory.map((m) => m.content),
        global: globalMemory.map((m) => m.content),
      },
      approvals: state.decisions,
      imageNotes: notes,
    }),
    state.log,
  );
  const lastLoaded = pending.at(-1)?.id ?? thread.cursor;
  const limits = threadLimits(deps.limits, config.sandbox);
  const handlers = noticingOutages(
    state,
    enforcingToolPolicy(state, {
      ...agentRequestHandlers({
        db,
        thread,
        config,
        userId: state.userId,
        announceTaskChange: (taskId) => deps.queues.announceTaskChange(taskId),
        ...(deps.maxTasksPerThread !== undefined && { maxTasksPerThread: deps.maxTasksPerThread }),
        ...(deps.minTaskIntervalMs !== undefined && { minTaskIntervalMs: deps.minTaskIntervalMs }),
        ...(deps.memoryCap !== undefined && { memoryCap: deps.memoryCap }),
      }),
      ...runRequestHandlers({
        db,
        llm: deps.llm,
        state,
        runId,
        enqueue: (rows) => deps.enqueue(thread.channel, rows),
        ...(deps.withheldTools && { withheldTools: deps.withheldTools }),
      }),
    }),
  );
  return deps.launcher.withAgent(
    thread,
    runId,
    config,
    limits,
    { signal: state.abort.signal, log: state.log },
    async (agent, reused) => {
      // Bookkeeping only: the run does not wait for it.
      void recordRunAgent(db, runId, agent.id).catch((error: Error) =>
        state.log.warn({ err: error }, 'could not record the agent id'),
      );
      const session = new AgentSession({
        agent,
        init,
        keepAlive: true,
        timeoutMs: limits.timeoutMs,
        logger: state.log.child({ component: 'agent', agent: agent.id.slice(0, 12), reused }),
        signal: state.abort.signal,
        handlers,
      });
      listen((event) => {
        if (event.type === 'stop') {
          state.abort.abort(new RunCancelledError(event.by));
        } else if (event.message.id > lastLoaded && !state.delivered.has(event.message.id)) {
          state.delivered.add(event.message.id);
          session.sendInput(event.message);
        }
      });
      const finish = await session.run();
      return { result: finish, reusable: session.reusable };
    },
  );
}

/**
 * The agent's request handlers, each noting in `state` when it failed because Postgres was
 * away (the agent then sees an error and may give up, but the run is not its fault).
 */
function noticingOutages(state: RunState, handlers: AgentRequestHandlers): AgentRequestHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([method, handle]) => [
      method,
      async (params: unknown) => {
        try {
          return await handle!(params);
        } catch (error) {
          if (isDatabaseUnavailable(error)) state.storageError ??= error as Error;
          throw error;
        }
      },
    ]),
  );
}
