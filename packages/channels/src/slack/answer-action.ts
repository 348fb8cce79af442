import type { ActionAnswer, InboundAction } from '@gridbot/core';
import type { WebClient } from '@slack/web-api';
import { slackTarget } from './send-text.ts';
import { markdownToMrkdwn } from './slack-mrkdwn.ts';

/**
 * Answers a button press: when the answer edits, `chat.update` replaces the message's text
 * and removes its blocks (the buttons); the notice goes to the presser alone with
 * `chat.postEphemeral` (in the thread when the message is in one). Errors propagate; the
 * adapter logs them.
 */
export async function answerSlackAction(
  web: WebClient,
  action: InboundAction,
  answer: ActionAnswer,
): Promise<void> {
  const { channel, threadTs } = slackTarget(action.chat.jid as Parameters<typeof slackTarget>[0]);
  if (answer.edit !== null) {
    await web.chat.update({
      channel,
      ts: action.platformMessageId,
      text: markdownToMrkdwn(answer.edit),
      blocks: [],
    });
  }
  await web.chat.postEphemeral({
    channel,
    user: action.sender.platformUserId,
    text: markdownToMrkdwn(answer.text),
    ...(threadTs !== null && { thread_ts: threadTs }),
  });
}
