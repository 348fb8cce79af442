import { type LlmMessage, type LlmTool, MAX_LINE_BYTES } from '@gridbot/core';

/** Room left in one protocol line for the `llm.complete` request around the conversation. */
export const LLM_REQUEST_BUDGET = MAX_LINE_BYTES - 32 * 1024;
/** Contents at most this long are never shortened. */
const KEEP_BYTES = 1024;

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Shortens the conversation in place until `{messages, tools}` fits in one protocol line
 * (the worker refuses lines over 1 MiB and would fail the run): first the oldest tool
 * results are replaced by a note, then, if that is not enough, the oldest long contents of
 * other messages (the system prompt last). Returns how many contents were shortened.
 */
export function fitConversation(
  messages: LlmMessage[],
  tools: readonly LlmTool[],
  budget: number = LLM_REQUEST_BUDGET,
): number {
  let size = jsonBytes({ messages, tools });
  if (size <= budget) return 0;
  let shortened = 0;
  const shorten = (index: number, note: (bytes: number) => string): void => {
    const message = messages[index];
    if (!message || Buffer.byteLength(message.content) <= KEEP_BYTES) return;
    const content = note(Buffer.byteLength(message.content));
    size -= jsonBytes(message.content) - jsonBytes(content);
    messages[index] = { ...message, content };
    shortened++;
  };
  const order = [
    ...messages.flatMap((m, i) => (m.role === 'tool' ? [i] : [])),
    ...messages.flatMap((m, i) => (m.role !== 'tool' && m.role !== 'system' ? [i] : [])),
    ...messages.flatMap((m, i) => (m.role === 'system' ? [i] : [])),
  ];
  for (const index of order) {
    if (size <= budget) break;
    const role = messages[index]?.role;
    shorten(index, (bytes) =>
      role === 'tool'
        ? `[tool result of ${bytes} bytes removed to keep the conversation within its size limit]`
        : `${(messages[index]?.content ?? '').slice(0, KEEP_BYTES / 2)}\n[… ${bytes} bytes cut to keep the conversation within its size limit]`,
    );
  }
  return shortened;
}
