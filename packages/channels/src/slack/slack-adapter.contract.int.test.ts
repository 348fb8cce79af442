import { asJid } from '@gridbot/core';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { startFakeSlack } from '../../../../tests/support/fake-slack/fake-slack.ts';
import {
  BOT_ID,
  BOT_USER,
  blockActionsPayload,
  CHANNELS,
  editEvent,
  eventCallback,
  messageEvent,
  nextTs,
} from '../../../../tests/support/fake-slack/slack-payloads.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { SlackAdapter } from './slack-adapter.ts';

const BOT_TOKEN = 'xoxb-contract-bot-token';
const APP_TOKEN = 'xapp-1-contract-app-token';

const jidOf = (channel: string, threadTs: string | null): string =>
  threadTs === null ? `slack:${channel}` : `slack:${channel}:${threadTs}`;

describeChannelAdapterContract('SlackAdapter (fake Slack, Socket Mode)', async (onEvent) => {
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  const adapter = new SlackAdapter({
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    apiUrl: fake.apiUrl,
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  return {
    adapter,
    botId: BOT_USER.id,
    groupJid: asJid(`slack:${CHANNELS.general.id}`),
    sampleMessageId: '1764000000.000077',
    replyField: false,
    updates: {
      groupText: (text) => messageEvent({ text }),
      directText: (text) => messageEvent({ text, channel: CHANNELS.dm.id }),
      mentioningBot: (text) =>
        messageEvent({ text: `<@${BOT_USER.id}> ${text}`, type: 'app_mention' }),
      replyToBot: (text, id) =>
        messageEvent({ text, threadTs: id, extra: { parent_user_id: BOT_USER.id } }),
      edit: (text) => {
        const ts = nextTs();
        return { update: editEvent(ts, text), platformMessageId: ts };
      },
      fromBot: (text) => messageEvent({ text, user: BOT_USER.id, extra: { bot_id: BOT_ID } }),
      press: (messageTs, data) => blockActionsPayload({ messageTs, actionId: `gridbot:${data}` }),
      malformed: () => {
        const without = (field: string) => {
          const body = messageEvent();
          delete (body.event as Record<string, unknown>)[field];
          return body;
        };
        return [
          { type: 'event_callback' },
          without('ts'),
          without('channel'),
          without('user'),
          eventCallback({
            type: 'message',
            channel: 'not-a-channel',
            user: 'U0ALICE001',
            ts: nextTs(),
            text: 'x',
          }),
          { type: 'block_actions', actions: [{ action_id: 'gridbot:approve:1' }] },
        ];
      },
    },
    sent: async () =>
      fake.sent.map(
        (message): ContractSentMessage => ({
          jid: jidOf(message.channel, message.threadTs),
          text: message.text,
          replyTo: null,
          messageId: message.file
            ? String((message.body.files as { id: string }[])[0]?.id)
            : message.ts,
          ...(message.blocks && {
            actions: message.blocks
              .flatMap((block) => (block as { elements?: { action_id: string }[] }).elements ?? [])
              .map((button) => button.action_id.replace(/^gridbot:/, '')),
          }),
          ...(message.file && {
            document: { fileName: message.file.fileName, content: message.file.content },
          }),
        }),
      ),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
