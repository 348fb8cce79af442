import type { AgentMessage, InitializeParams, LlmMessage } from '@gridbot/core';
import { ThreadClock } from './thread-clock.ts';

/** What the conversation needs beyond `initialize`; all optional so tests stay small. */
export interface ConversationContext {
  /** The messages the model sees as new; default `init.newMessages`. */
  newMessages?: readonly AgentMessage[];
  /** Shared instructions (the workspace's `global/*.md`), already read and capped. */
  instructions?: string;
  /** The workspace directory, as the model should name it. */
  workspace?: string;
  /** Names of the tools offered to the model; none: no tools paragraph. */
  toolNames?: readonly string[];
}

type Approval = InitializeParams['approvals'][number];

function approvalLine(approval: Approval): string {
  const what = `Approval #${approval.id} (${approval.tool}: ${approval.summary})`;
  const by = approval.resolvedBy ? ` by ${approval.resolvedBy}` : '';
  switch (approval.status) {
    case 'approved':
      return `- ${what} was approved${by}: you may do it now.`;
    case 'rejected':
      return `- ${what} was rejected${by}: do not do it.`;
    case 'superseded':
      return `- ${what} was superseded by a newer message and not approved: do not do it unless asked again.`;
    case 'expired':
      return `- ${what} expired unanswered: do not do it.`;
  }
}

function chatDescription(init: InitializeParams): string {
  const kind = init.thread.isGroup ? 'group chat' : 'direct chat';
  return init.thread.title ? `the ${kind} "${init.thread.title}"` : `a ${kind}`;
}

function toolsParagraph(init: InitializeParams, context: ConversationContext): string[] {
  const tools = context.toolNames ?? [];
  if (tools.length === 0) return [];
  const where = context.workspace ?? 'the current directory';
  const lines = [
    '',
    `Tools: ${tools.join(', ')}. Use them when they help; a tool that fails returns "Error: …", which you can act on.`,
    `Your workspace is ${where}: this chat's own files, kept between runs; bash and the file tools work there, and paths outside it are refused. Shared instructions, if any, are read-only under global/. Use send_message for progress on long work; your final answer (a reply without tool calls) is posted to the chat.`,
  ];
  const gated = init.config.tools_requiring_approval;
  if (gated.length > 0) {
    lines.push(
      `In this chat these tools need a human's approval first: ${gated.join(', ')}. Call request_approval with what exactly you will do; the run then ends and a later run is told the decision.`,
    );
  }
  return lines;
}

/** The `verbosity` setting as an instruction (medium: none). */
const VERBOSITY: Record<string, string> = {
  low: 'Keep your replies short: a few sentences at most, unless asked for more.',
  high: 'Give thorough, detailed replies.',
};

function systemPrompt(init: InitializeParams, clock: ThreadClock, context: ConversationContext) {
  const lines = [
    `You are ${init.assistantName}, an assistant in ${chatDescription(init)}. User messages show their sender and time as "[Name, 10:02] text" (times in ${clock.zone}); write your own replies as plain text, without that prefix.`,
    `Current time: ${clock.current()}.`,
  ];
  const language = init.config.language.trim();
  if (language) lines.push(`Write your replies in ${language}, whatever language people write in.`);
  const length = VERBOSITY[init.config.verbosity];
  if (length) lines.push(length);
  if (init.thread.isMain) {
    lines.push(
      'This is the main chat: you may also act on other chats (thread_jid) and write global memory.',
    );
  }
  lines.push(...toolsParagraph(init, context));
  const instructions = context.instructions?.trim();
  if (instructions) lines.push('', 'Shared instructions:', instructions);
  if (init.memory.global.length > 0) {
    lines.push('', 'What you remember (all chats):', ...init.memory.global.map((m) => `- ${m}`));
  }
  if (init.memory.thread.length > 0) {
    lines.push(
      '',
      'What you remember about this chat:',
      ...init.memory.thread.map((m) => `- ${m}`),
    );
  }
  if (init.approvals.length > 0) {
    lines.push('', 'Decisions on your approval requests:', ...init.approvals.map(approvalLine));
  }
  return lines.join('\n');
}

/** One line per message: `[sender, time] text` in the thread's time zone. */
export function speakerLines(messages: readonly AgentMessage[], clock: ThreadClock): string {
  return messages
    .map((message) => {
      const time = clock.stamp(message.sentAt);
      return `[${message.senderName}${time ? `, ${time}` : ''}] ${message.text}`;
    })
    .join('\n');
}

/** The clock of a run: `init.config.timezone` at `init.now`. */
export function clockFor(init: InitializeParams): ThreadClock {
  return new ThreadClock(init.config.timezone, init.now);
}

/**
 * The messages for the model: a system prompt (who, where, when, tools and workspace,
 * shared instructions, memory, approval decisions), the recent history with speakers and
 * times on user turns, then one user message holding every new message. Pure: file
 * contents come in through `context`.
 */
export function buildConversation(
  init: InitializeParams,
  context: ConversationContext = {},
): LlmMessage[] {
  const clock = clockFor(init);
  const newMessages = context.newMessages ?? init.newMessages;
  const history: LlmMessage[] = init.history.map((message) =>
    message.role === 'user'
      ? { role: 'user', content: speakerLines([message], clock) }
      : { role: 'assistant', content: message.text },
  );
  const latest = newMessages.length > 0 ? speakerLines(newMessages, clock) : '(no new messages)';
  return [
    { role: 'system', content: systemPrompt(init, clock, context) },
    ...history,
    { role: 'user', content: latest },
  ];
}
