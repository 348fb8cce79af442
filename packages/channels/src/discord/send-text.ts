import {
  GridBotError,
  type Jid,
  PlatformRateLimitError,
  PlatformRejectedError,
  parseJid,
} from '@gridbot/core';
import {
  DiscordAPIError,
  MessageFlags,
  RateLimitError,
  type RawFile,
  type REST,
  Routes,
} from 'discord.js';
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
 * What every message GridBot posts carries: no mention can ping anyone, link embeds are
 * suppressed, and a reply still goes out if the message it answers was deleted.
 */
export function quietMessage(replyTo: string | null) {
  return {
    allowed_mentions: { parse: [], replied_user: false },
    flags: MessageFlags.SuppressEmbeds,
    ...(replyTo !== null && SNOWFLAKE.test(replyTo)
      ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
      : {}),
  };
}

/**
 * Posts a message to a channel and returns its id; a rate limit discord.js was told not to
 * wait for becomes `PlatformRateLimitError`. `what` names it in the error for a missing id.
 */
export async function postDiscordMessage(
  rest: REST,
  channelId: string,
  what: string,
  request: { body: unknown; files?: RawFile[] },
): Promise<string> {
  try {
    const sent = (await rest.post(Routes.channelMessages(channelId), request)) as { id?: unknown };
    if (typeof sent.id !== 'string') {
      throw new GridBotError(`Discord accepted ${what} but returned no message id.`);
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
  const body = {
    content: formatDiscordMessage(text, maxLength),
    ...quietMessage(options.replyTo),
    ...(options.actions?.length && { components: [actionRow(options.actions)] }),
    ...nonceOf(options),
  };
  return postDiscordMessage(rest, channelId, `a message to ${jid}`, { body });
}

/**
 * Edits a bot message (a streamed reply's placeholder) into one chunk, formatted and made
 * quiet as {@link sendDiscordText} does. The same edit twice (after a crash) is no error.
 */
export async function editDiscordText(
  rest: REST,
  jid: Jid,
  messageId: string,
  text: string,
  options: SendOptions,
  maxLength: number,
): Promise<void> {
  const channelId = discordTarget(jid);
  const { allowed_mentions, flags } = quietMessage(null);
  try {
    await rest.patch(Routes.channelMessage(channelId, messageId), {
      body: {
        content: formatDiscordMessage(text, maxLength),
        allowed_mentions,
        flags,
        components: options.actions?.length ? [actionRow(options.actions)] : [],
      },
    });
  } catch (error) {
    if (error instanceof RateLimitError) {
      throw new PlatformRateLimitError('discord', Math.max(1, Math.ceil(error.retryAfter)), {
        cause: error,
      });
    }
    // Unknown Message (deleted meanwhile), or not the bot's to edit.
    if (error instanceof DiscordAPIError && (error.code === 10008 || error.code === 50005)) {
      throw new PlatformRejectedError('discord', error.message, { cause: error });
    }
    throw error;
  }
}

/** Discord's dedupe of a retried send: the message a nonce already made is returned. */
export function nonceOf(options: SendOptions): { nonce?: string; enforce_nonce?: true } {
  if (!options.idempotencyKey) return {};
  return { nonce: options.idempotencyKey.slice(0, 25), enforce_nonce: true };
}
