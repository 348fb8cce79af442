import {
  type ApprovalRequestParams,
  type ChatSendParams,
  type LlmCompleteParams,
  type LlmCompleteResult,
  RpcErrorCode,
} from '@gridbot/core';
import {
  commitApprovalRequest,
  commitChatSend,
  type Database,
  type OutboxRow,
  recordTokens,
  tokensUsedToday,
} from '@gridbot/db';
import { type LlmProvider, LlmUnavailableError } from '@gridbot/llm';
import { type AgentRequestHandlers, RpcMethodError } from '@gridbot/runner';
import type { Kysely } from 'kysely';
import { RunLimitError } from './run-limit-error.ts';
import type { RunState } from './run-state.ts';
import { tracedModelCall } from './traced-model-call.ts';

/** How long an approval request waits for an answer before it expires. */
const APPROVAL_TTL_MS = 24 * 60 * 60_000;

export interface RunRequestContext {
  db: Kysely<Database>;
  llm: LlmProvider;
  state: RunState;
  runId: number;
  /** Hands committed outbox rows to egress. */
  enqueue: (rows: OutboxRow[]) => Promise<void>;
  /** Tools never offered to the model, whatever the agent lists (e.g. bash when unsandboxed). */
  withheldTools?: ReadonlySet<string>;
}

/**
 * The worker's own bounds on model calls, checked before each one whatever the agent
 * program does: at most `max_steps` calls per run, and none once the thread's daily token
 * budget is spent. Past either, the run is ended (the thread is told why) and the call is
 * refused without reaching the model.
 */
async function enforceRunLimits(ctx: RunRequestContext): Promise<void> {
  const { state } = ctx;
  const { config } = state;
  state.modelCalls += 1;
  let limit: RunLimitError | null = null;
  if (state.modelCalls > config.max_steps) {
    limit = new RunLimitError(
      'max_steps',
      `the agent asked for more than ${config.max_steps} model calls in one run (max_steps)`,
    );
  } else if (config.daily_token_budget > 0) {
    const used = await tokensUsedToday(ctx.db, state.thread.id, config.timezone);
    if (used >= config.daily_token_budget)
      limit = new RunLimitError(
        'daily_token_budget',
        `today's token budget for this chat is spent (${used} of ${config.daily_token_budget} tokens)`,
      );
  }
  if (!limit) return;
  state.abort.abort(limit);
  throw new RpcMethodError(RpcErrorCode.NotAvailable, limit.message);
}

/** The model call as the model gets it: without the tools the worker withholds. */
export function withholdTools(
  params: LlmCompleteParams,
  withheld: ReadonlySet<string> | undefined,
): LlmCompleteParams {
  if (!withheld || withheld.size === 0 || !params.tools) return params;
  return { ...params, tools: params.tools.filter((tool) => !withheld.has(tool.name)) };
}

/**
 * The requests that belong to the run itself: model calls (with the key, the token ledger
 * and the run's totals), messages sent mid-run, and approval requests, all written under
 * the run's fence.
 */
export function runRequestHandlers(ctx: RunRequestContext): AgentRequestHandlers {
  const { db, llm, state, runId } = ctx;
  const { config } = state;
  return {
    'llm.complete': async (raw) => {
      await enforceRunLimits(ctx);
      const offered = withholdTools(raw as LlmCompleteParams, ctx.withheldTools);
      let result: LlmCompleteResult;
      try {
        result = await tracedModelCall(llm.name, config.model, () =>
          llm.complete(offered, {
            model: config.model,
            temperature: config.temperature,
            topP: config.top_p,
            maxTokens: config.max_tokens,
            reasoningEffort: config.reasoning_effort,
            signal: state.abort.signal,
            ...(state.draft && { onText: state.draft }),
          }),
        );
      } catch (error) {
        if (!(error instanceof LlmUnavailableError)) throw error;
        state.providerError = error;
        throw new RpcMethodError(RpcErrorCode.NotAvailable, error.message);
      }
      state.tokens.input += result.usage.inputTokens;
      state.tokens.output += result.usage.outputTokens;
      await recordTokens(db, {
        threadId: state.thread.id,
        runId,
        provider: llm.name,
        model: result.model,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
      });
      return result;
    },
    'approval.request': async (params) => {
      const { tool, summary, details } = params as ApprovalRequestParams;
      if (state.awaitingApproval !== null) {
        throw new RpcMethodError(
          RpcErrorCode.InvalidParams,
          'This run already awaits an approval; finish the run.',
        );
      }
      const { approval, row } = await commitApprovalRequest(db, state.target, {
        proposal: { tool, summary, details },
        expiresAt: new Date(Date.now() + APPROVAL_TTL_MS),
        // Whoever addressed the assistant last in this run caused the request.
        requestedBy: state.pending.filter((m) => m.triggers).at(-1)?.sender_id ?? null,
        text: (id) =>
          `Approval needed (#${id}): ${summary}\nReply /approve ${id} or /reject ${id}.`,
      });
      state.awaitingApproval = approval.id;
      await ctx.enqueue([row]);
      return {
        approvalId: approval.id,
        status: 'pending',
        note: 'Finish the run now; a later run receives the decision in initialize.approvals.',
      };
    },
    'chat.send': async (params) => {
      const { text } = params as ChatSendParams;
      const row = await commitChatSend(db, state.target, { text, replyTo: null });
      await ctx.enqueue([row]);
      return { outboxId: row.id };
    },
  };
}
