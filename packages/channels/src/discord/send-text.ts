import { GridBotError, type Jid, PlatformRateLimitError, parseJid } from '@gridbot/core';
import { MessageFlags, RateLimitError, type REST, Routes } from 'discord.js';
import type { SendOptions } from '../channel-adapter.ts';
import { actionRow } from './answer-action.ts';
import { formatDiscordMessage } from './discord-markdown.ts';

const SNOWFLAKE = /^\d{1,20}$/;

/**
 * The channel a Discord JID posts to: the channel itself, or the thread for
 * `discord:<parentId>:<threadId>`.
 */
export function discordTarget(jid: Jid): string {
  const { channel, chatId, subId } = parseJid(jid);
  if (channel !== 'discord') {
    throw new GridBotError(`Cannot send to ${jid} with the Discord adapter: not a discord JID.`);
  }
  const target = subId ?? chatId;
  if (!SNOWFLAKE.test(target)) {
    throw new GridBotError(`Cannot send to ${jid}: a Discord channel or thread id is a number.`);
  }
  return target;
}

/**
 * Sends one chunk (at most `maxLength` characters) to the JID's channel or thread and
 * returns the new message's id. The text is converted to Discord Markdown with
 * `@everyone`/`@here` defused, and sent with `allowed_mentions.parse = []` and
 * `replied_user: false`, so nothing the assistant writes can ping anyone; link embeds are
 * suppressed. With `replyTo`, it is a reply that still goes out if that message was deleted.
 * discord.js waits out short rate limits itself; one it was told not to wait for becomes
 * `PlatformRateLimitError`. Other errors (`DiscordAPIError`, network) propagate.
 */
export async function sendDiscordText(
  rest: REST,
  jid: Jid,
  text: string,
  options: SendOptions,
  maxLength: number,
): Promise<string> {
  const channelId = discordTarget(jid);
  const replyTo = options.replyTo;
  const body = {
    content: formatDiscordMessage(text, maxLength),
    allowed_mentions: { parse: [], replied_user: false },
    flags: MessageFlags.SuppressEmbeds,
    ...(replyTo !== null && SNOWFLAKE.test(replyTo)
      ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
      : {}),
    ...(options.actions?.length && { components: [actionRow(options.actions)] }),
  };
  try {
    const sent = (await rest.post(Routes.channelMessages(channelId), { body })) as { id?: unknown };
    if (typeof sent.id !== 'string') {
      throw new GridBotError(`Discord accepted a message to ${jid} but returned no message id.`);
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
