import type { AgentMessage, InitializeParams, LlmMessage } from '@gridbot/core';

function speakerLine(message: AgentMessage): string {
  return `[${message.senderName}] ${message.text}`;
}

function systemPrompt(init: InitializeParams): string {
  const where = init.thread.title
    ? `in the chat "${init.thread.title}"`
    : `in a ${init.thread.isGroup ? 'group' : 'direct'} chat`;
  const lines = [
    `You are ${init.assistantName}, an assistant ${where}. Current time: ${init.now} (${init.config.timezone}).`,
  ];
  const memory = [...init.memory.global, ...init.memory.thread];
  if (memory.length > 0) {
    lines.push('', 'What you remember:', ...memory.map((item) => `- ${item}`));
  }
  return lines.join('\n');
}

/**
 * The messages for the model: a system prompt (who, where, when, memory), the recent
 * history, then one user message holding every new message as `[sender] text` lines.
 */
export function buildConversation(
  init: InitializeParams,
  newMessages: readonly AgentMessage[] = init.newMessages,
): LlmMessage[] {
  const history: LlmMessage[] = init.history.map((message) =>
    message.role === 'user'
      ? { role: 'user', content: speakerLine(message) }
      : { role: 'assistant', content: message.text },
  );
  const latest =
    newMessages.length > 0 ? newMessages.map(speakerLine).join('\n') : '(no new messages)';
  return [
    { role: 'system', content: systemPrompt(init) },
    ...history,
    { role: 'user', content: latest },
  ];
}
