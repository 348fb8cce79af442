import type { ApprovalRequestParams } from '@gridbot/core';
import { type AgentTool, stringArg, toolDefinition } from './agent-tool.ts';

/**
 * `request_approval`: asks the chat before a risky action. The worker posts the request;
 * this run ends right after it, and a later run receives the decision.
 */
export function createApprovalTool(): AgentTool {
  return {
    definition: toolDefinition(
      'request_approval',
      'Asks the people in the chat to approve an action before you take it (required for tools this chat marks as needing approval). The request is posted in the chat; this run ends right after it, and a later run is told the decision.',
      {
        tool: { type: 'string', description: 'The tool you want to use, e.g. "bash".' },
        summary: {
          type: 'string',
          description:
            'Exactly what you will do, for a human to judge, e.g. "delete logs/ older than 30 days".',
        },
      },
      ['tool', 'summary'],
    ),
    async run(args, { call }) {
      const params: Partial<ApprovalRequestParams> = {
        tool: stringArg(args, 'tool'),
        summary: stringArg(args, 'summary'),
      };
      const result = (await call('approval.request', params)) as { approvalId?: unknown } | null;
      const approvalId = typeof result?.approvalId === 'number' ? result.approvalId : null;
      const label = approvalId === null ? 'The approval request' : `Approval #${approvalId}`;
      return {
        text: `${label} was posted in the chat. This run ends now; the decision arrives in a later run. Do not take the action yet.`,
        endRun: { approvalId },
      };
    },
  };
}
