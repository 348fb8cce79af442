import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import {
  APP,
  GROUP,
  msgId,
  ROBOT_CODE,
  robotMessage,
} from '../../../../tests/support/fake-dingtalk/dingtalk-payloads.ts';
import {
  type SentRobotMessage,
  startFakeDingTalk,
} from '../../../../tests/support/fake-dingtalk/fake-dingtalk.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { DingTalkAdapter } from './dingtalk-adapter.ts';
import { groupJid, userJid } from './dingtalk-ids.ts';

/** The button ids of an action card, read back from the commands its links send. */
function buttonsOf(message: SentRobotMessage): string[] {
  return Object.entries(message.msgParam)
    .filter(([key]) => /^(actionURL\d|singleURL)$/.test(key))
    .map(([, url]) => {
      const command = decodeURIComponent(String(url).split('content=')[1] ?? '');
      return command.replace(/^\//, '').replace(' ', ':');
    });
}

describeChannelAdapterContract('DingTalkAdapter (fake DingTalk, Stream mode)', async (onEvent) => {
  const fake = await startFakeDingTalk();
  const adapter = new DingTalkAdapter({
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    apiBase: fake.apiBase,
    oapiBase: fake.apiBase,
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  return {
    adapter,
    botId: ROBOT_CODE,
    groupJid: groupJid(GROUP.conversationId),
    sampleMessageId: msgId(),
    replyField: false,
    captionSeparately: true,
    updates: {
      groupText: (text) => robotMessage({ text, isInAtList: false }),
      directText: (text) => robotMessage({ text, chat: 'single' }),
      mentioningBot: (text) => robotMessage({ text }),
      fromBot: (text) => ({
        ...robotMessage({ text }),
        senderStaffId: undefined,
        senderId: '$:LWCP_v1:$fakeRobotUser',
      }),
      malformed: () => {
        const without = (field: string) => {
          const body = robotMessage();
          delete body[field];
          return body;
        };
        return [
          without('msgId'),
          without('conversationId'),
          without('conversationType'),
          without('msgtype'),
          { ...without('senderStaffId'), senderId: undefined },
          { ...robotMessage(), conversationId: 'not a conversation id!' },
          { ...robotMessage(), text: { content: 42 } },
        ];
      },
    },
    sent: async () =>
      fake.sent.map((message): ContractSentMessage => {
        const { to, msgKey, msgParam } = message;
        const file = msgKey === 'sampleFile';
        const upload = fake.uploads.find((u) => u.mediaId === msgParam.mediaId);
        const buttons = buttonsOf(message);
        return {
          jid: to.kind === 'group' ? groupJid(to.conversationId) : userJid(to.staffIds[0]!),
          text: file ? '' : String(msgParam.content ?? msgParam.text ?? ''),
          replyTo: null,
          messageId: message.processQueryKey,
          ...(buttons.length > 0 && { actions: buttons }),
          ...(file && {
            document: { fileName: String(msgParam.fileName), content: upload?.content ?? null },
          }),
        };
      }),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
