import { GridBotError, type Jid, type MessageAction, parseJid } from '@gridbot/core';
import type { WebClient } from '@slack/web-api';
import type { SendOptions } from '../channel-adapter.ts';
import { ACTION_ID_PREFIX } from './normalize-event.ts';
import { callSlack } from './slack-api-error.ts';
import { markdownToMrkdwn } from './slack-mrkdwn.ts';

/** Largest text of a section block (Block Kit). */
const SECTION_TEXT_MAX = 3000;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const TS = /^\d{1,12}\.\d{1,8}$/;

/** Where a Slack JID posts: the channel, and the thread (`thread_ts`) for `slack:<c>:<ts>`. */
export function slackTarget(jid: Jid): { channel: string; threadTs: string | null } {
  const { channel, chatId, subId } = parseJid(jid);
  if (channel !== 'slack') {
    throw new GridBotError(`Cannot send to ${jid} with the Slack adapter: not a slack JID.`);
  }
  if (!CHANNEL_ID.test(chatId)) {
    throw new GridBotError(`Cannot send to ${jid}: a Slack conversation id looks like C0123ABCD.`);
  }
  if (subId !== null && !TS.test(subId)) {
    throw new GridBotError(
      `Cannot send to ${jid}: a Slack thread id is a timestamp like 1700000000.000100.`,
    );
  }
  return { channel: chatId, threadTs: subId };
}

/** Buttons as Block Kit: the text in a section, then an actions block of buttons. */
export function actionBlocks(mrkdwn: string, actions: readonly MessageAction[]) {
  const text =
    mrkdwn.length > SECTION_TEXT_MAX ? `${mrkdwn.slice(0, SECTION_TEXT_MAX - 1)}…` : mrkdwn;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: text || ' ' } },
    {
      type: 'actions',
      block_id: 'gridbot-actions',
      elements: actions.map((action) => ({
        type: 'button',
        action_id: `${ACTION_ID_PREFIX}${action.id}`,
        value: action.id,
        text: { type: 'plain_text', text: action.label.slice(0, 75), emoji: true },
        ...(action.style && { style: action.style }),
      })),
    },
  ];
}

/**
 * Posts one chunk with `chat.postMessage` and returns its `ts`. The text is converted to
 * mrkdwn; link and media unfurls are off. A thread JID posts into the thread
 * (`thread_ts`). Slack has no reply-to-a-message outside threads, and starting a thread
 * under the person's message would move the conversation to another GridBot thread, so
 * `replyTo` does not change where a channel's reply goes. With `actions`, the text goes in a
 * section block with the buttons under it (`text` stays as the notification fallback).
 * Rate limits and refusals are mapped by `callSlack`.
 */
export async function sendSlackText(
  web: WebClient,
  jid: Jid,
  text: string,
  options: SendOptions,
): Promise<string> {
  const { channel, threadTs } = slackTarget(jid);
  const mrkdwn = markdownToMrkdwn(text);
  const sent = await callSlack(() =>
    web.chat.postMessage({
      channel,
      text: mrkdwn,
      mrkdwn: true,
      unfurl_links: false,
      unfurl_media: false,
      ...(threadTs !== null && { thread_ts: threadTs }),
      ...(options.actions?.length && { blocks: actionBlocks(mrkdwn, options.actions) }),
    }),
  );
  if (typeof sent.ts !== 'string') {
    throw new GridBotError(`Slack accepted a message to ${jid} but returned no ts.`);
  }
  return sent.ts;
}
