import type { Jid } from '@gridbot/core';
import type { REST } from 'discord.js';
import type { OutboundDocument, SendOptions } from '../channel-adapter.ts';
import { formatDiscordMessage } from './discord-markdown.ts';
import { discordTarget, nonceOf, postDiscordMessage, quietMessage } from './send-text.ts';

/**
 * The most a bot may upload to a channel whose server has no boost (Discord's default file
 * limit, 10 MiB); boosted servers allow more, but a bot cannot rely on that.
 */
export const DISCORD_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/**
 * Posts one file as an attachment of a new message (multipart/form-data: `payload_json`
 * and `files[0]`, as Discord's "Uploading Files" describes), with the caption as its
 * content, mentions disabled as in {@link sendDiscordText}'s messages. Returns the message id.
 */
export async function sendDiscordDocument(
  rest: REST,
  jid: Jid,
  document: OutboundDocument,
  options: SendOptions,
  maxLength: number,
): Promise<string> {
  const channelId = discordTarget(jid);
  const body = {
    ...(document.caption && { content: formatDiscordMessage(document.caption, maxLength) }),
    ...quietMessage(options.replyTo),
    attachments: [{ id: 0, filename: document.fileName }],
    ...nonceOf(options),
  };
  return postDiscordMessage(rest, channelId, `a file for ${jid}`, {
    body,
    files: [
      {
        key: 'files[0]',
        name: document.fileName,
        data: Buffer.from(document.data),
        contentType: document.mimeType,
      },
    ],
  });
}
