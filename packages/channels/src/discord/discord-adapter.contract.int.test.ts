import { asJid } from '@gridbot/core';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import {
  ALICE,
  BOT_USER,
  buttonInteractionPayload,
  CHANNELS,
  editPayload,
  messagePayload,
  snowflake,
} from '../../../../tests/support/fake-discord/discord-payloads.ts';
import { startFakeDiscord } from '../../../../tests/support/fake-discord/fake-discord.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { DiscordAdapter } from './discord-adapter.ts';

const TOKEN = 'contract-token';
const create = (d: Record<string, unknown>) => ({ t: 'MESSAGE_CREATE', d });

/** The JID a channel id of the fixture maps to (a thread sits under its parent). */
const jidOf = (channelId: string): string =>
  channelId === CHANNELS.thread.id
    ? `discord:${CHANNELS.thread.parent_id}:${channelId}`
    : `discord:${channelId}`;

describeChannelAdapterContract('DiscordAdapter (fake Discord)', async (onEvent) => {
  const fake = await startFakeDiscord({ token: TOKEN });
  const adapter = new DiscordAdapter({
    token: TOKEN,
    apiBase: fake.apiBase,
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  return {
    adapter,
    botId: BOT_USER.id,
    groupJid: asJid(`discord:${CHANNELS.text.id}`),
    sampleMessageId: '1400000000000000077',
    updates: {
      groupText: (content) => create(messagePayload({ content })),
      directText: (content) => create(messagePayload({ content, channelId: CHANNELS.dm.id })),
      mentioningBot: (text) =>
        create(messagePayload({ content: `<@${BOT_USER.id}> ${text}`, mentions: [BOT_USER] })),
      replyToBot: (content, id) =>
        create(messagePayload({ content, replyTo: { id, author: BOT_USER } })),
      edit: (content) => {
        const original = messagePayload({ content: 'typo' });
        return {
          update: { t: 'MESSAGE_UPDATE', d: editPayload(original, content) },
          platformMessageId: String(original.id),
        };
      },
      fromBot: (content) => create(messagePayload({ content, author: BOT_USER })),
      press: (messageId, data) => ({
        t: 'INTERACTION_CREATE',
        d: buttonInteractionPayload({
          id: snowflake(),
          token: 'interaction-token',
          user: ALICE,
          customId: `gridbot:${data}`,
          message: { id: messageId, channel_id: CHANNELS.text.id },
        }),
      }),
      malformed: () => {
        const withoutField = (field: string) => {
          const d: Record<string, unknown> = messagePayload();
          delete d[field];
          return create(d);
        };
        return [
          { t: 'MESSAGE_CREATE' },
          withoutField('id'),
          withoutField('channel_id'),
          withoutField('author'),
          create(messagePayload({ channelId: CHANNELS.voice.id })),
        ];
      },
    },
    sent: async () =>
      fake.sent.map(
        (message): ContractSentMessage => ({
          jid: jidOf(message.channelId),
          text: message.content,
          replyTo: message.message_reference?.message_id ?? null,
          messageId: message.id,
          ...(Array.isArray(message.body.components) && {
            actions: (message.body.components as { components: { custom_id: string }[] }[])
              .flatMap((row) => row.components)
              .map((button) => button.custom_id.replace(/^gridbot:/, '')),
          }),
          ...(message.attachments[0] && {
            document: {
              fileName: message.attachments[0].filename,
              content: message.attachments[0].content,
            },
          }),
        }),
      ),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
