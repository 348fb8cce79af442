import type { Jid, MessageAction } from '@gridbot/core';
import { looksLikeMarkdown } from '../markdown-marks.ts';
import type { WeComApi } from './wecom-api.ts';
import { targetOf } from './wecom-ids.ts';

type Rec = Record<string, unknown>;

/** A card's button press names it by `task_id`; WeCom wants one per card, at most 128 bytes. */
let cards = 0;
const taskId = () => `gridbot-${Date.now().toString(36)}-${(++cards).toString(36)}`;

/**
 * The message body for one chunk: `markdown` when it has Markdown marks, else `text`; with
 * buttons, in a direct chat, a `template_card` of the `button_interaction` kind (a press
 * comes back as a `template_card_event` naming the button's key). Group chats (`appchat`)
 * take no cards: there the buttons' commands are in the text already.
 */
export function messageBody(
  text: string,
  actions: readonly MessageAction[] | undefined,
  direct: boolean,
): Rec {
  if (direct && actions && actions.length > 0) {
    return {
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: text.split('\n')[0]!.slice(0, 36) },
        sub_title_text: text.slice(0, 1000),
        task_id: taskId(),
        button_list: actions.slice(0, 6).map((action) => ({
          text: action.label.slice(0, 10),
          style: action.style === 'danger' ? 2 : 1,
          key: action.id,
        })),
      },
    };
  }
  if (looksLikeMarkdown(text)) return { msgtype: 'markdown', markdown: { content: text } };
  return { msgtype: 'text', text: { content: text } };
}

/**
 * Sends one message to a person (`message/send`, with the app's `agentid`) or a group chat
 * (`appchat/send`); returns WeCom's `msgid` (a card's `task_id` when it is a card, which a
 * press names).
 */
export async function sendWeComMessage(
  api: WeComApi,
  agentId: string,
  jid: Jid,
  body: Rec,
): Promise<string> {
  const target = targetOf(jid);
  const answer =
    target.kind === 'user'
      ? await api.post('message/send', { touser: target.userId, agentid: Number(agentId), ...body })
      : await api.post('appchat/send', { chatid: target.chatId, ...body });
  const card = body.template_card as Rec | undefined;
  if (card) return String(card.task_id);
  return typeof answer.msgid === 'string' && answer.msgid !== ''
    ? answer.msgid
    : `appchat-${Date.now().toString(36)}`;
}
