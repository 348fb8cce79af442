import { DEFAULT_BEHAVIOUR, type InitializeParams, PROTOCOL_VERSION } from '@gridbot/core';

/**
 * Test support, not exported: the `initialize` params of a run in a group "Team" where Alice
 * said "hello". Tests override what they need.
 */
export function sampleInit(overrides: Partial<InitializeParams> = {}): InitializeParams {
  return {
    protocolVersion: PROTOCOL_VERSION,
    assistantName: 'Andy',
    run: { id: 11, trigger: 'message' },
    thread: { id: 4, jid: 'telegram:-100', title: 'Team', isGroup: true, isMain: false },
    config: DEFAULT_BEHAVIOUR,
    newMessages: [
      { id: 1, role: 'user', senderName: 'Alice', text: 'hello', sentAt: '2025-01-01T00:00:00Z' },
    ],
    history: [],
    memory: { thread: [], global: [] },
    approvals: [],
    now: '2025-01-01T00:00:01Z',
    ...overrides,
  };
}
