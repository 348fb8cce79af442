/**
 * The fake DingTalk's fixed world (an app and its robot, a group, two people of the
 * organization) and a builder for robot message callbacks (`/v1.0/im/bot/messages/get`,
 * the `data` of a Stream CALLBACK frame), shaped as DingTalk documents them.
 */
type Rec = Record<string, unknown>;

export const APP = {
  clientId: 'dingfakeappkey0001',
  clientSecret: 'fake-dingtalk-app-secret-0123456789',
};
export const ROBOT_CODE = APP.clientId;
/** A group conversation id, base64 with its padding, as DingTalk gives them. */
export const GROUP = {
  conversationId: 'cid6KeBBLoveMJOGXoYKF5x7Eeiodo+A/g==',
  title: '产品讨论组',
};
export const OTHER_GROUP = { conversationId: 'cidR7nQzUnregisteredGroup0==', title: 'Elsewhere' };
export const ZHANG = { staffId: 'manager4321', nick: '张三' };
export const LI = { staffId: 'staff7788', nick: '李四' };

let counter = 0;
/** A fresh message id of DingTalk's shape. */
export function msgId(): string {
  counter += 1;
  return `msg${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}==`;
}

export interface RobotMessageOptions {
  text?: string;
  /** `group` (default) or `single` (a one-to-one chat with the robot). */
  chat?: 'group' | 'single';
  conversationId?: string;
  sender?: { staffId: string; nick: string };
  /** Whether the robot is @-mentioned; in a group DingTalk only pushes such messages. */
  isInAtList?: boolean;
  /** Another message type's fields instead of text (`{ msgtype: 'picture', content: {...} }`). */
  body?: Rec;
  id?: string;
}

/** A robot message callback's data. */
export function robotMessage(options: RobotMessageOptions = {}): Rec {
  const single = options.chat === 'single';
  const sender = options.sender ?? ZHANG;
  const conversationId =
    options.conversationId ?? (single ? `cidSingle${sender.staffId}==` : GROUP.conversationId);
  return {
    conversationId,
    conversationType: single ? '1' : '2',
    ...(single ? {} : { conversationTitle: GROUP.title }),
    chatbotCorpId: 'dingcorpfake',
    chatbotUserId: '$:LWCP_v1:$fakeRobotUser',
    robotCode: ROBOT_CODE,
    msgId: options.id ?? msgId(),
    senderNick: sender.nick,
    isAdmin: false,
    senderStaffId: sender.staffId,
    senderId: `$:LWCP_v1:$${sender.staffId}`,
    senderCorpId: 'dingcorpfake',
    sessionWebhookExpiredTime: Date.now() + 90 * 60_000,
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=expires-soon',
    createAt: Date.now(),
    isInAtList: options.isInAtList ?? !single,
    atUsers: single ? [] : [{ dingtalkId: '$:LWCP_v1:$fakeRobotUser' }],
    ...(options.body ?? { msgtype: 'text', text: { content: ` ${options.text ?? 'hello'}` } }),
  };
}
