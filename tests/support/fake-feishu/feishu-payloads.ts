/**
 * The fake Feishu's fixed world (an app and its bot, a group, a topic group, two people)
 * and builders for event bodies (schema 2.0) as Feishu delivers them, over the long
 * connection or the HTTP callback.
 */
type Rec = Record<string, unknown>;

/** The SDK's long connection insists on an app id of this shape. */
export const APP = {
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'fake-feishu-app-secret-0123456789',
};
export const VERIFICATION_TOKEN = 'fake-verification-token-0123';
export const ENCRYPT_KEY = 'fake-encrypt-key-for-events-0123';
export const BOT = { openId: 'ou_fakebot00000000000000000000001', name: 'GridBot' };
export const GROUP = { chatId: 'oc_fakegroup000000000000000000001', name: '研发群' };
export const OTHER_GROUP = { chatId: 'oc_fakegroup0000000000000000000099', name: 'Elsewhere' };
export const P2P = { chatId: 'oc_fakep2p0000000000000000000000001' };
export const WANG = {
  openId: 'ou_wang000000000000000000000000001',
  name: '王五',
  timeZone: 'Asia/Shanghai',
};
export const ZHAO = {
  openId: 'ou_zhao000000000000000000000000001',
  name: '赵六',
  timeZone: 'Asia/Shanghai',
};

let counter = 0;
const next = () => (++counter).toString(16).padStart(24, '0');
export const messageId = () => `om_${next()}`;

function header(eventType: string): Rec {
  return {
    event_id: `ev_${next()}`,
    event_type: eventType,
    create_time: String(Date.now()),
    token: VERIFICATION_TOKEN,
    app_id: APP.appId,
    tenant_key: 'fake-tenant',
  };
}

export interface FeishuMessageOptions {
  text?: string;
  chatId?: string;
  chatType?: 'group' | 'p2p';
  sender?: { openId: string };
  /** People (or the bot) mentioned: `@_user_N` placeholders in the text, in this order. */
  mentions?: Array<{ openId: string; name: string }>;
  /** Another type's `message_type` and `content` instead of text. */
  body?: { type: string; content: Rec };
  id?: string;
  rootId?: string;
}

/** An `im.message.receive_v1` event body (schema 2.0). */
export function messageEvent(options: FeishuMessageOptions = {}): Rec {
  const mentions = (options.mentions ?? []).map((m, i) => ({
    key: `@_user_${i + 1}`,
    id: { open_id: m.openId, union_id: `on_${m.openId}`, user_id: null },
    name: m.name,
    tenant_key: 'fake-tenant',
  }));
  const p2p = options.chatType === 'p2p';
  return {
    schema: '2.0',
    header: header('im.message.receive_v1'),
    event: {
      sender: {
        sender_id: { open_id: (options.sender ?? WANG).openId, union_id: 'on_x', user_id: null },
        sender_type: 'user',
        tenant_key: 'fake-tenant',
      },
      message: {
        message_id: options.id ?? messageId(),
        ...(options.rootId && { root_id: options.rootId, parent_id: options.rootId }),
        create_time: String(Date.now()),
        chat_id: options.chatId ?? (p2p ? P2P.chatId : GROUP.chatId),
        chat_type: p2p ? 'p2p' : 'group',
        message_type: options.body?.type ?? 'text',
        content: JSON.stringify(options.body?.content ?? { text: options.text ?? 'hello' }),
        ...(mentions.length > 0 && { mentions }),
      },
    },
  };
}

/** A group message @-mentioning the bot: `@_user_1 <text>`. */
export function mentionEvent(text: string, options: FeishuMessageOptions = {}): Rec {
  return messageEvent({
    ...options,
    text: `@_user_1 ${text}`,
    mentions: [{ openId: BOT.openId, name: BOT.name }],
  });
}

/** A `card.action.trigger` callback: `user` pressed the button whose value is `value`. */
export function cardActionEvent(options: {
  messageId: string;
  value: Rec;
  chatId?: string;
  user?: { openId: string };
}): Rec {
  return {
    schema: '2.0',
    header: header('card.action.trigger'),
    event: {
      operator: { open_id: (options.user ?? WANG).openId, tenant_key: 'fake-tenant' },
      token: `c-${next()}`,
      action: { tag: 'button', value: options.value },
      host: 'im_message',
      context: { open_message_id: options.messageId, open_chat_id: options.chatId ?? GROUP.chatId },
    },
  };
}

/** An `im.message.recalled_v1` event. */
export function recallEvent(id: string, chatId = GROUP.chatId): Rec {
  return {
    schema: '2.0',
    header: header('im.message.recalled_v1'),
    event: {
      message_id: id,
      chat_id: chatId,
      recall_time: String(Date.now()),
      recall_type: 'message_owner',
    },
  };
}
