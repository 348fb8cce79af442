import {
  type AgentMessage,
  type BehaviourConfig,
  type InitializeParams,
  PROTOCOL_VERSION,
} from '@gridbot/core';
import type { Approval, Message, Thread } from '@gridbot/db';

/** A stored message as the agent sees it, with what is known of its images. */
export function toAgentMessage(
  message: Message,
  imageNotes?: ReadonlyMap<number, string[]>,
): AgentMessage {
  const notes = imageNotes?.get(message.id) ?? [];
  return {
    id: message.id,
    role: message.role === 'assistant' ? 'assistant' : 'user',
    senderName: message.sender_name,
    text: notes.length > 0 ? `${message.content}\n${notes.join('\n')}` : message.content,
    sentAt: message.sent_at.toISOString(),
  };
}

/**
 * Everything the agent gets in `initialize` for one run. No host path: the config's
 * `additional_mounts` (host directories, the operator's layout) is sent empty; the agent
 * sees its mounts where they are inside its sandbox, under `/workspace/extra/`.
 */
export function buildInit(input: {
  trigger: 'message' | 'task';
  assistantName: string;
  runId: number;
  thread: Thread;
  config: BehaviourConfig;
  pending: Message[];
  history: Message[];
  memory: { thread: string[]; global: string[] };
  approvals: Approval[];
  /** What the model saw in the messages' images (see `imageNotes`), by message id. */
  imageNotes?: ReadonlyMap<number, string[]>;
}): InitializeParams {
  const { thread } = input;
  return {
    protocolVersion: PROTOCOL_VERSION,
    assistantName: input.assistantName,
    run: { id: input.runId, trigger: input.trigger },
    thread: {
      id: thread.id,
      jid: thread.jid,
      title: thread.title,
      isGroup: thread.is_group,
      isMain: thread.is_main,
    },
    config: { ...input.config, additional_mounts: [] },
    newMessages: input.pending.map((m) => toAgentMessage(m, input.imageNotes)),
    history: input.history.map((m) => toAgentMessage(m, input.imageNotes)),
    memory: input.memory,
    approvals: input.approvals.map((a) => ({
      id: a.id,
      tool: String(a.proposal.tool ?? ''),
      summary: String(a.proposal.summary ?? ''),
      status: a.status as 'approved' | 'rejected' | 'superseded' | 'expired',
      resolvedBy: a.resolved_by,
    })),
    now: new Date().toISOString(),
  };
}
