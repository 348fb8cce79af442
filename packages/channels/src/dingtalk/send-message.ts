import {
  type Jid,
  type MessageAction,
  PlatformRateLimitError,
  PlatformRejectedError,
} from '@gridbot/core';
import { looksLikeMarkdown } from '../markdown-marks.ts';
import { targetOf } from './dingtalk-ids.ts';
import type { RobotApi } from './robot-api.ts';

/** A message as the robot API takes it: a template key and its parameters. */
export interface RobotMessage {
  msgKey: string;
  msgParam: Record<string, string>;
}

/** DingTalk's action cards take one to five buttons. */
const MAX_BUTTONS = 5;

/** A title for the notification and the card: the first line, without Markdown marks. */
function titleOf(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  const plain = line.replace(/[#*`>_[\]]/g, '').trim();
  return (plain || 'GridBot').slice(0, 40);
}

/**
 * What a button sends back: DingTalk action-card buttons open links, and a
 * `dtmd://dingtalkclient/sendMessage` link makes the person's client send a message, so a
 * button `approve:12` sends the chat command `/approve 12`, which the gateway handles as it
 * would have been typed.
 */
export function buttonCommand(action: MessageAction): string {
  const [verb, ...rest] = action.id.split(':');
  return `/${verb}${rest.length > 0 ? ` ${rest.join(':')}` : ''}`;
}

export function buttonUrl(action: MessageAction): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(buttonCommand(action))}`;
}

/**
 * The robot message for one chunk: plain text (`sampleText`), Markdown (`sampleMarkdown`)
 * when it has Markdown marks, or an action card (`sampleActionCard`, `sampleActionCard2`…)
 * when it carries buttons.
 */
export function robotMessageOf(
  text: string,
  actions: readonly MessageAction[] | undefined,
): RobotMessage {
  const buttons = (actions ?? []).slice(0, MAX_BUTTONS);
  if (buttons.length === 1) {
    const [button] = buttons as [MessageAction];
    return {
      msgKey: 'sampleActionCard',
      msgParam: {
        title: titleOf(text),
        text,
        singleTitle: button.label,
        singleURL: buttonUrl(button),
      },
    };
  }
  if (buttons.length > 1) {
    const msgParam: Record<string, string> = { title: titleOf(text), text };
    buttons.forEach((button, index) => {
      msgParam[`actionTitle${index + 1}`] = button.label;
      msgParam[`actionURL${index + 1}`] = buttonUrl(button);
    });
    return { msgKey: `sampleActionCard${buttons.length}`, msgParam };
  }
  if (looksLikeMarkdown(text))
    return { msgKey: 'sampleMarkdown', msgParam: { title: titleOf(text), text } };
  return { msgKey: 'sampleText', msgParam: { content: text } };
}

/**
 * Sends one robot message to a JID's group (`groupMessages/send`) or person
 * (`oToMessages/batchSend`); returns DingTalk's `processQueryKey`, the message's id. A
 * person DingTalk holds back (`flowControlledStaffIdList`) is a rate limit; one it does not
 * know (`invalidStaffIdList`) fails the reply with that reason.
 */
export async function sendRobotMessage(
  api: RobotApi,
  jid: Jid,
  message: RobotMessage,
  pauseMs: number,
): Promise<string> {
  const target = targetOf(jid);
  const msgParam = JSON.stringify(message.msgParam);
  const body =
    target.kind === 'group'
      ? await api.post('/v1.0/robot/groupMessages/send', {
          robotCode: api.robotCode,
          openConversationId: target.conversationId,
          msgKey: message.msgKey,
          msgParam,
        })
      : await api.post('/v1.0/robot/oToMessages/batchSend', {
          robotCode: api.robotCode,
          userIds: [target.staffId],
          msgKey: message.msgKey,
          msgParam,
        });
  const listed = (field: string) =>
    Array.isArray(body[field]) && (body[field] as unknown[]).length > 0;
  if (listed('flowControlledStaffIdList')) throw new PlatformRateLimitError('DingTalk', pauseMs);
  if (listed('invalidStaffIdList')) {
    throw new PlatformRejectedError(
      'DingTalk',
      'the person is not a member of the organization (invalidStaffIdList)',
    );
  }
  if (typeof body.processQueryKey !== 'string' || body.processQueryKey === '') {
    throw new PlatformRejectedError(
      'DingTalk',
      'the robot API accepted the message but gave it no processQueryKey',
    );
  }
  return body.processQueryKey;
}
