import type { AgentMessage, LlmMessage } from '@gridbot/core';
import { fitConversation } from './fit-conversation.ts';
import type { AgentTool, ToolContext, ToolResult } from './tools/agent-tool.ts';

/** Characters of one tool result the model receives (tools cap their own output below this). */
export const TOOL_RESULT_CAP = 260 * 1024;

type ToolCall = NonNullable<LlmMessage['toolCalls']>[number];

export interface ToolLoopOptions {
  /** The conversation so far (system prompt, history, new messages); extended in place. */
  conversation: LlmMessage[];
  tools: readonly AgentTool[];
  context: ToolContext;
  /** Model calls allowed (`config.max_steps`). */
  maxSteps: number;
  /** Tools that need an approved request first (`config.tools_requiring_approval`). */
  gatedTools: readonly string[];
  /** Tools approved for this run (from `init.approvals`). */
  approvedTools: readonly string[];
  /** Takes the follow-up messages that arrived since the last call (and claims them). */
  takeInputs: () => AgentMessage[];
  /** Renders follow-up messages as the text of one user message. */
  renderInputs: (messages: readonly AgentMessage[]) => string;
  log: (message: string) => void;
}

export interface ToolLoopResult {
  /** The reply for the chat; null when the model said nothing. */
  reply: string | null;
  /** Why the loop ended. */
  ended: 'answer' | 'step_limit' | 'approval';
  /** Model calls made. */
  steps: number;
}

function errorText(error: unknown): string {
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}

/** Reads the model's answer leniently: a missing or odd field counts as empty. */
function readAnswer(result: unknown): { content: string; toolCalls: ToolCall[] } {
  const r = (result ?? {}) as { content?: unknown; toolCalls?: unknown };
  const content = typeof r.content === 'string' ? r.content : '';
  const toolCalls = (Array.isArray(r.toolCalls) ? r.toolCalls : []).flatMap(
    (call: Partial<ToolCall> | null, index: number): ToolCall[] =>
      call && typeof call.name === 'string'
        ? [
            {
              id: typeof call.id === 'string' ? call.id : `call_${index}`,
              name: call.name,
              arguments:
                typeof call.arguments === 'object' && call.arguments !== null ? call.arguments : {},
            },
          ]
        : [],
  );
  return { content, toolCalls };
}

/**
 * The agent's tool loop for one run: calls the model with the conversation and the tool
 * schemas; while it answers with tool calls, runs them in order, appends the assistant
 * message and one `tool` message per call (a failure becomes `Error: …` text for the model,
 * never a crash) and calls the model again. Follow-up inputs are appended as a user message
 * before each call. Ends with the model's first answer without tool calls; after a
 * successful `request_approval` (the run must end); or after `maxSteps` model calls, with
 * a reply saying so (tool calls of that last answer are not run). Rejects only when a model
 * call fails.
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const { conversation, tools, context, maxSteps, log } = options;
  const byName = new Map(tools.map((tool) => [tool.definition.name, tool]));
  const definitions = tools.map((tool) => tool.definition);
  let lastText = '';

  const runTool = async (call: ToolCall): Promise<ToolResult> => {
    const tool = byName.get(call.name);
    if (!tool) {
      return {
        text: `Error: there is no tool "${call.name}". Tools: ${[...byName.keys()].join(', ')}.`,
      };
    }
    const gated = options.gatedTools.includes(call.name) && call.name !== 'request_approval';
    if (gated && !options.approvedTools.includes(call.name)) {
      return {
        text: `Error: in this chat "${call.name}" needs a human's approval first. Call request_approval with tool "${call.name}" and a summary of exactly what you will do; this run then ends and a later run is told the decision.`,
      };
    }
    try {
      return await tool.run(call.arguments, context);
    } catch (error) {
      log(`tool ${call.name} failed: ${errorText(error)}`);
      return { text: errorText(error) };
    }
  };

  for (let step = 1; step <= maxSteps; step++) {
    // The program is ending (shutdown): no further model call.
    context.signal.throwIfAborted();
    const inputs = options.takeInputs();
    if (inputs.length > 0) {
      const text = options.renderInputs(inputs);
      const last = conversation.at(-1);
      if (last?.role === 'user')
        conversation[conversation.length - 1] = { ...last, content: `${last.content}\n${text}` };
      else conversation.push({ role: 'user', content: text });
    }
    const shortened = fitConversation(conversation, definitions);
    if (shortened > 0) log(`shortened ${shortened} message(s) to fit the request in one line`);
    const answer = readAnswer(
      await context.call('llm.complete', { messages: conversation, tools: definitions }),
    );
    if (answer.toolCalls.length === 0) {
      return { reply: answer.content || null, ended: 'answer', steps: step };
    }
    if (answer.content) lastText = answer.content;
    conversation.push({ role: 'assistant', content: answer.content, toolCalls: answer.toolCalls });
    if (step === maxSteps) break;

    let approval: ToolResult['endRun'] | undefined;
    for (const call of answer.toolCalls) {
      const result = approval
        ? { text: 'Not run: this run ends to wait for the approval decision.' }
        : await runTool(call);
      approval ??= result.endRun;
      conversation.push({
        role: 'tool',
        toolCallId: call.id,
        content: result.text.slice(0, TOOL_RESULT_CAP),
      });
    }
    if (approval) {
      const waiting =
        approval.approvalId === null
          ? 'Waiting for approval.'
          : `Waiting for approval #${approval.approvalId}.`;
      return { reply: answer.content || waiting, ended: 'approval', steps: step };
    }
  }
  const stopped = `I stopped after ${maxSteps} steps without finishing. Ask me to continue if you want me to go on.`;
  return {
    reply: lastText ? `${stopped}\n\n${lastText}` : stopped,
    ended: 'step_limit',
    steps: maxSteps,
  };
}
