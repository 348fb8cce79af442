import type { AgentMethod } from './protocol.ts';

/**
 * The worker request each tool of the default agent makes, for the tools whose effect
 * leaves the container. A thread's `tools_requiring_approval` names tools; the worker
 * enforces the names for these methods whatever program runs in the container (a policy
 * may also name a method itself, e.g. `artifact.save`). `bash` and the file tools act
 * inside the sandbox only, which is their boundary; `request_approval` is how approval is
 * asked for and is never gated.
 */
export const TOOL_METHODS: Readonly<Record<string, AgentMethod>> = {
  send_message: 'chat.send',
  schedule_task: 'task.schedule',
  list_tasks: 'task.list',
  update_task: 'task.update',
  pause_task: 'task.pause',
  resume_task: 'task.resume',
  cancel_task: 'task.cancel',
  remember: 'memory.write',
  recall: 'memory.read',
};

/** The names in a policy that stand for `method`: its tools and the method itself. */
export function policyNamesFor(method: AgentMethod): string[] {
  return [method, ...Object.keys(TOOL_METHODS).filter((tool) => TOOL_METHODS[tool] === method)];
}
