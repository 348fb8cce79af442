import { asJid } from '@gridbot/core';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { startFakeWhatsApp } from '../../../../tests/support/fake-whatsapp/fake-whatsapp.ts';
import {
  businessEcho,
  buttonReply,
  editMessage,
  GROUP_ID,
  nextMessageId,
  PHONE_NUMBER_ID,
  textMessage,
  webhookBody,
} from '../../../../tests/support/fake-whatsapp/whatsapp-payloads.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { WhatsAppAdapter } from './whatsapp-adapter.ts';

const ACCESS_TOKEN = 'EAAGcontract0accessTOKEN1234567890';

describeChannelAdapterContract('WhatsAppAdapter (fake Cloud API)', async (onEvent) => {
  const fake = await startFakeWhatsApp({ accessToken: ACCESS_TOKEN });
  const adapter = new WhatsAppAdapter({
    accessToken: ACCESS_TOKEN,
    phoneNumberId: PHONE_NUMBER_ID,
    appSecret: 'contract-app-secret',
    verifyToken: 'contract-verify-token',
    graphUrl: fake.graphUrl,
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  const inGroup = { groupId: GROUP_ID };
  return {
    adapter,
    botId: PHONE_NUMBER_ID,
    groupJid: asJid(`whatsapp:g.${GROUP_ID}`),
    sampleMessageId: 'wamid.HBgLMTU1NTAwMDEyMzQVAgARGBI5OTk5OTk5OQA=',
    updates: {
      groupText: (text) => textMessage(text, inGroup),
      directText: (text) => textMessage(text),
      mentioningBot: (text) => textMessage(`@15550001234 ${text}`, inGroup),
      replyToBot: (text, id) => textMessage(text, { ...inGroup, context: { id } }),
      edit: (text) => {
        const original = nextMessageId();
        return { update: editMessage(original, text, inGroup), platformMessageId: original };
      },
      fromBot: (text) => businessEcho(text),
      press: (messageId, data) => buttonReply(messageId, `gridbot:${data}`, inGroup),
      malformed: () => {
        const message = (patch: Record<string, unknown>) => {
          const body = textMessage('x', inGroup);
          const value = (
            body.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[]
          )[0]!.changes[0]!.value;
          Object.assign(value.messages[0]!, patch);
          for (const [key, v] of Object.entries(patch))
            if (v === undefined) delete value.messages[0]![key];
          return body;
        };
        return [
          { object: 'page', entry: [] },
          { object: 'whatsapp_business_account' },
          { object: 'whatsapp_business_account', entry: [{ id: '1' }] },
          message({ id: undefined }),
          message({ from: 'not-a-number' }),
          message({ timestamp: 'yesterday' }),
          message({ group_id: 'has spaces in it' }),
          message({ type: 'image', image: { caption: 'no id' } }),
          webhookBody({ statuses: [{ id: 'wamid.x', status: 'delivered' }] }),
          buttonReply('wamid.x', 'someone-else:1', inGroup),
        ];
      },
    },
    sent: async () =>
      fake.sent.map(
        (message): ContractSentMessage => ({
          jid:
            message.recipientType === 'group'
              ? `whatsapp:g.${message.to}`
              : `whatsapp:${message.to}`,
          text: message.text,
          replyTo: message.replyTo,
          messageId: message.id,
          ...(message.buttons.length > 0 && {
            actions: message.buttons.map((id) => id.replace(/^gridbot:/, '')),
          }),
          ...(message.document && {
            document: { fileName: message.document.fileName, content: message.document.content },
          }),
        }),
      ),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
