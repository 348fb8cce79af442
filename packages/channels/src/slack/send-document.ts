import { GridBotError, type Jid } from '@gridbot/core';
import type { WebClient } from '@slack/web-api';
import type { OutboundDocument } from '../channel-adapter.ts';
import { slackTarget } from './send-text.ts';
import { callSlack } from './slack-api-error.ts';
import { escapeSlack } from './slack-mrkdwn.ts';

/** What GridBot uploads at most (Slack itself takes up to 1 GB; exports stay far below). */
export const SLACK_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/**
 * Uploads a file into the JID's channel (or thread) with the caption as its comment,
 * through `files.uploadV2` (`files.getUploadURLExternal`, the upload, then
 * `files.completeUploadExternal`). Returns the file's id: Slack shares the file
 * asynchronously and the completion names no message `ts`.
 */
export async function sendSlackDocument(
  web: WebClient,
  jid: Jid,
  document: OutboundDocument,
): Promise<string> {
  const { channel, threadTs } = slackTarget(jid);
  const common = {
    file: Buffer.from(document.data),
    filename: document.fileName,
    title: document.fileName,
    ...(document.caption !== null && { initial_comment: escapeSlack(document.caption) }),
  };
  const result = await callSlack(() =>
    threadTs === null
      ? web.filesUploadV2({ ...common, channel_id: channel })
      : web.filesUploadV2({ ...common, channel_id: channel, thread_ts: threadTs }),
  );
  const completed = (result as { files?: { files?: { id?: unknown }[] }[] }).files?.[0]?.files?.[0];
  if (typeof completed?.id !== 'string') {
    throw new GridBotError(
      `Slack accepted ${document.fileName} for ${jid} but returned no file id.`,
    );
  }
  return completed.id;
}
