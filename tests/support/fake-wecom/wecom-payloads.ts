/**
 * The fake WeCom's fixed world (an organization, its self-built app, two members) and
 * builders for the decrypted callback messages (XML) WeCom posts, shaped as its message
 * documentation shows them.
 */
export const CORP = {
  corpId: 'ww1234567890abcdef',
  agentId: '1000002',
  secret: 'fake-wecom-app-secret-0123456789abcdef',
};
/** The callback's Token and EncodingAESKey (43 characters), as the admin console makes them. */
export const CALLBACK = {
  token: 'QDG6eKgridbot',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
export const LIU = 'LiuQi';
export const CHEN = 'ChenBa';
export const GROUP_CHAT = 'wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA';

let counter = 7_000_000_000_000_000_000n;
export const msgId = () => String(++counter);

const cdata = (value: string) => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** A decrypted callback message: its fields as XML, wrapped in `<xml>`. */
export function messageXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([key, value]) =>
      typeof value === 'number' ? `<${key}>${value}</${key}>` : `<${key}>${cdata(value)}</${key}>`,
    )
    .join('');
  return `<xml>${body}</xml>`;
}

/** A text a member sent the app. */
export function textMessage(
  text: string,
  options: { from?: string; id?: string; agentId?: string } = {},
): string {
  return messageXml({
    ToUserName: CORP.corpId,
    FromUserName: options.from ?? LIU,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'text',
    Content: text,
    MsgId: options.id ?? msgId(),
    AgentID: Number(options.agentId ?? CORP.agentId),
  });
}

/** A press on a template card's button. */
export function cardEvent(taskId: string, key: string, from = LIU): string {
  return messageXml({
    ToUserName: CORP.corpId,
    FromUserName: from,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: 'template_card_event',
    EventKey: key,
    TaskId: taskId,
    CardType: 'button_interaction',
    ResponseCode: `rc-${taskId}`,
    AgentID: Number(CORP.agentId),
  });
}
