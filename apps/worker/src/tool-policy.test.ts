import { DEFAULT_BEHAVIOUR, RpcErrorCode } from '@gridbot/core';
import type { Approval } from '@gridbot/db';
import { describe, expect, it } from 'vitest';
import { enforcingToolPolicy } from './tool-policy.ts';

const served: string[] = [];
const handlers = {
  'chat.send': async () => {
    served.push('chat.send');
    return { ok: true };
  },
  'task.schedule': async () => {
    served.push('task.schedule');
    return { task: { id: 1 } };
  },
  'approval.request': async () => {
    served.push('approval.request');
    return { approvalId: 1 };
  },
};

const decision = (tool: string, status: Approval['status']) =>
  ({ id: 1, proposal: { tool, summary: 'x' }, status }) as unknown as Approval;

function policy(gated: string[], decisions: Approval[] = []) {
  return enforcingToolPolicy(
    { config: { ...DEFAULT_BEHAVIOUR, tools_requiring_approval: gated }, decisions },
    handlers,
  );
}

describe('enforcingToolPolicy', () => {
  it("refuses a gated tool's request however the agent asks, and serves the rest", async () => {
    served.length = 0;
    const h = policy(['send_message']);
    await expect(h['chat.send']!({ text: 'hi' })).rejects.toMatchObject({
      rpcCode: RpcErrorCode.Forbidden,
      message: expect.stringContaining('"send_message" needs a human\'s approval first'),
    });
    await h['task.schedule']!({});
    await h['approval.request']!({});
    expect(served).toEqual(['task.schedule', 'approval.request']);
  });

  it('gates a method named in the policy, and approval requests never', async () => {
    served.length = 0;
    const h = policy(['task.schedule', 'request_approval', 'approval.request']);
    await expect(h['task.schedule']!({})).rejects.toMatchObject({
      rpcCode: RpcErrorCode.Forbidden,
    });
    await h['approval.request']!({});
    expect(served).toEqual(['approval.request']);
  });

  it('serves a gated tool once a human approved that tool, not another one or a rejection', async () => {
    served.length = 0;
    await expect(
      policy(
        ['schedule_task'],
        [decision('schedule_task', 'rejected'), decision('send_message', 'approved')],
      )['task.schedule']!({}),
    ).rejects.toMatchObject({ rpcCode: RpcErrorCode.Forbidden });
    await policy(['schedule_task'], [decision('schedule_task', 'approved')])['task.schedule']!({});
    expect(served).toEqual(['task.schedule']);
  });
});
