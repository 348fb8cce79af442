import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { startFakeFeishu } from '../../../../tests/support/fake-feishu/fake-feishu.ts';
import {
  APP,
  BOT,
  cardActionEvent,
  GROUP,
  mentionEvent,
  messageEvent,
  messageId,
} from '../../../../tests/support/fake-feishu/feishu-payloads.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { FeishuAdapter } from './feishu-adapter.ts';
import { feishuJid } from './feishu-ids.ts';

type Rec = Record<string, unknown>;
/** The flattened shape the SDK's dispatcher hands over: header and event fields side by side. */
const flat = (body: Rec): Rec => ({
  schema: body.schema,
  ...(body.header as Rec),
  ...(body.event as Rec),
});

/** The text of a message as sent: text, a post's md element, or a card's markdown. */
function textOf(msgType: string, content: Rec): string {
  if (msgType === 'text') return String(content.text);
  if (msgType === 'post') return String(((content.zh_cn as Rec).content as Rec[][])[0]![0]!.text);
  if (msgType === 'interactive') return String(((content.elements as Rec[])[0] as Rec).content);
  return '';
}

describeChannelAdapterContract('FeishuAdapter (fake Feishu, long connection)', async (onEvent) => {
  const fake = await startFakeFeishu();
  const adapter = new FeishuAdapter({
    appId: APP.appId,
    appSecret: APP.appSecret,
    domain: fake.url,
    logger: captureLogger().logger,
  });
  await adapter.start(onEvent);
  return {
    adapter,
    botId: BOT.openId,
    groupJid: feishuJid(GROUP.chatId, null),
    sampleMessageId: fake.seedBotMessage(),
    captionSeparately: true,
    updates: {
      groupText: (text) => flat(messageEvent({ text })),
      directText: (text) => flat(messageEvent({ text, chatType: 'p2p' })),
      mentioningBot: (text) => flat(mentionEvent(text)),
      replyToBot: (text, repliedToId) => {
        const body = messageEvent({ text });
        Object.assign((body.event as Rec).message as Rec, {
          parent_id: repliedToId,
          root_id: repliedToId,
        });
        return flat(body);
      },
      edit: (text) => {
        const id = messageId();
        const body = messageEvent({ text, id });
        (body.header as Rec).event_type = 'im.message.updated_v1';
        return { update: flat(body), platformMessageId: id };
      },
      fromBot: (text) => flat(messageEvent({ text, sender: { openId: BOT.openId } })),
      press: (id, data) => flat(cardActionEvent({ messageId: id, value: { action: data } })),
      malformed: () => {
        const drop = (field: string) => {
          const body = flat(messageEvent());
          delete (body.message as Rec)[field];
          return body;
        };
        return [
          { event_type: 'im.message.receive_v1' },
          drop('message_id'),
          drop('chat_id'),
          drop('chat_type'),
          { ...flat(messageEvent()), sender: {} },
          (() => {
            const body = flat(messageEvent());
            (body.message as Rec).content = '{not json';
            return body;
          })(),
          flat(
            cardActionEvent({
              messageId: messageId(),
              value: { action: 'approve:1' },
              chatId: 'not-a-chat',
            }),
          ),
        ];
      },
    },
    sent: async () =>
      fake.sent.map((m): ContractSentMessage => {
        const upload =
          m.msgType === 'file'
            ? fake.uploads.find((u) => u.fileKey === m.content.file_key)
            : undefined;
        const buttons =
          m.msgType === 'interactive'
            ? (
                (m.content.elements as Rec[]).find((e) => e.tag === 'action')?.actions as
                  | Rec[]
                  | undefined
              )?.map((b) => String((b.value as Rec).action))
            : undefined;
        return {
          jid: feishuJid(m.chatId, null),
          text: textOf(m.msgType, m.content),
          replyTo: m.replyTo,
          messageId: m.messageId,
          ...(buttons && { actions: buttons }),
          ...(upload && { document: { fileName: upload.name, content: upload.content } }),
        };
      }),
    close: async () => {
      await adapter.stop();
      await fake.close();
    },
  };
});
