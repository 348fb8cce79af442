import { GridBotError, type Jid, PlatformRateLimitError } from '@gridbot/core';
import { MessageFlags, RateLimitError, type REST, Routes } from 'discord.js';
import type { OutboundDocument, SendOptions } from '../channel-adapter.ts';
import { formatDiscordMessage } from './discord-markdown.ts';
import { discordTarget } from './send-text.ts';

/**
 * The most a bot may upload to a channel whose server has no boost (Discord's default file
 * limit, 10 MiB); boosted servers allow more, but a bot cannot rely on that.
 */
export const DISCORD_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const SNOWFLAKE = /^\d{1,20}$/;

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
  const replyTo = options.replyTo;
  const body = {
    ...(document.caption && { content: formatDiscordMessage(document.caption, maxLength) }),
    allowed_mentions: { parse: [], replied_user: false },
    flags: MessageFlags.SuppressEmbeds,
    attachments: [{ id: 0, filename: document.fileName }],
    ...(replyTo !== null && SNOWFLAKE.test(replyTo)
      ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
      : {}),
  };
  try {
    const sent = (await rest.post(Routes.channelMessages(channelId), {
      body,
      files: [
        {
          key: 'files[0]',
          name: document.fileName,
          data: Buffer.from(document.data),
          contentType: document.mimeType,
        },
      ],
    })) as { id?: unknown };
    if (typeof sent.id !== 'string') {
      throw new GridBotError(`Discord accepted a file for ${jid} but returned no message id.`);
    }
    return sent.id;
  } catch (error) {
    if (error instanceof RateLimitError) {
      throw new PlatformRateLimitError('discord', Math.max(1, Math.ceil(error.retryAfter)), {
        cause: error,
      });
    }
    throw error;
  }
}
