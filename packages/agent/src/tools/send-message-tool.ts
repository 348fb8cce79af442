import type { ChatSendParams } from '@gridbot/core';
import { type AgentTool, stringArg, toolDefinition } from './agent-tool.ts';

/** `send_message`: a message to the chat now, before the run's final reply. */
export function createSendMessageTool(): AgentTool {
  return {
    definition: toolDefinition(
      'send_message',
      'Sends a message to the chat right away, e.g. progress on long work ("On it, this takes a minute."). Your final answer is sent anyway: do not repeat it here.',
      { text: { type: 'string', description: 'The message.' } },
      ['text'],
    ),
    async run(args, { call }) {
      const params: ChatSendParams = { text: stringArg(args, 'text') };
      await call('chat.send', params);
      return { text: 'Sent.' };
    },
  };
}
