import { type Attachment, GridBotError } from '@gridbot/core';
import type { WebClient } from '@slack/web-api';
import type { FetchedFile } from '../channel-adapter.ts';
import { fetchFile } from '../fetch-file.ts';
import { callSlack } from './slack-api-error.ts';

/**
 * Downloads a file a person shared: `files.info` names its `url_private_download`, fetched
 * with the bot token (the app needs the `files:read` scope).
 */
export async function fetchSlackFile(
  web: WebClient,
  botToken: string,
  attachment: Attachment,
): Promise<FetchedFile> {
  const info = await callSlack(() => web.files.info({ file: attachment.platformFileId }));
  const url = info.file?.url_private_download ?? info.file?.url_private;
  if (typeof url !== 'string') {
    throw new GridBotError(`Slack named no URL for file ${attachment.platformFileId}.`);
  }
  const fetched = await fetchFile(url, `Slack file ${attachment.platformFileId}`, {
    headers: { authorization: `Bearer ${botToken}` },
  });
  // Without access Slack answers with its sign-in page, not an error.
  if (fetched.mimeType === 'text/html' && attachment.mimeType !== 'text/html') {
    throw new GridBotError(
      `Slack answered file ${attachment.platformFileId} with its sign-in page: give the app the files:read scope.`,
    );
  }
  return { ...fetched, mimeType: attachment.mimeType ?? fetched.mimeType };
}
