import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { startFakeWeCom } from '../../../../tests/support/fake-wecom/fake-wecom.ts';
import {
  CALLBACK,
  CORP,
  cardEvent,
  GROUP_CHAT,
  LIU,
  msgId,
  textMessage,
} from '../../../../tests/support/fake-wecom/wecom-payloads.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { parseXml } from './callback-handler.ts';
import { WeComAdapter } from './wecom-adapter.ts';
import { appChatJid, userJid } from './wecom-ids.ts';

type Rec = Record<string, unknown>;

describeChannelAdapterContract('WeComAdapter (fake WeCom, callback mode)', async (onEvent) => {
  const fake = await startFakeWeCom();
  const adapter = new WeComAdapter({
    corpId: CORP.corpId,
    agentId: CORP.agentId,
    secret: CORP.secret,
    token: CALLBACK.token,
    encodingAESKey: CALLBACK.encodingAESKey,
    apiBase: fake.apiBase,
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  const xml = (text: string) => parseXml(text)!;
  return {
    adapter,
    botId: CORP.agentId,
    groupJid: appChatJid(GROUP_CHAT),
    directJid: userJid(LIU),
    sampleMessageId: 'gridbot-sample-task',
    replyField: false,
    captionSeparately: true,
    updates: {
      directText: (text) => xml(textMessage(text)),
      // WeCom hands an app none of its own messages; the nearest is another app's.
      fromBot: (text) => xml(textMessage(text, { agentId: '1000999' })),
      press: (taskId, data) => xml(cardEvent(taskId, data)),
      malformed: () => {
        const without = (field: string) => {
          const message = xml(textMessage('x'));
          delete message[field];
          return message;
        };
        return [
          without('MsgType'),
          without('FromUserName'),
          without('MsgId'),
          { ...xml(textMessage('x')), FromUserName: 'not a user id!' },
          { ...xml(cardEvent('task-1', 'approve:1')), TaskId: undefined },
          xml(textMessage('x', { id: msgId().replace(/^7/, 'x') })),
        ];
      },
    },
    sent: async () =>
      fake.sent.map((m): ContractSentMessage => {
        const card = m.body.template_card as Rec | undefined;
        const upload =
          m.msgtype === 'file'
            ? fake.uploads.find((u) => u.mediaId === (m.body.file as Rec).media_id)
            : undefined;
        const text = card
          ? String(card.sub_title_text)
          : String((m.body[m.msgtype] as Rec | undefined)?.content ?? '');
        return {
          jid: m.to.kind === 'user' ? userJid(m.to.userId) : appChatJid(m.to.chatId),
          text: m.msgtype === 'file' ? '' : text,
          replyTo: null,
          messageId: card ? String(card.task_id) : m.msgid,
          ...(card && { actions: (card.button_list as Rec[]).map((b) => String(b.key)) }),
          ...(upload && { document: { fileName: upload.name, content: upload.content } }),
        };
      }),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
