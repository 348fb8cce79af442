import { InvalidJidError } from './errors.ts';

/** A thread's global id: `{channel}:{platform chat id}` or `{channel}:{chat}:{sub-thread}`. */
export type Jid = string & { readonly __jid: unique symbol };

export interface JidParts {
  channel: string;
  chatId: string;
  subId: string | null;
}

const CHANNEL = /^[a-z][a-z0-9-]{0,31}$/;
const PLATFORM_ID = /^-?[A-Za-z0-9_.@+-]{1,128}$/;

/** Parses and validates a JID; throws {@link InvalidJidError} with the reason when malformed. */
export function parseJid(input: string): JidParts {
  const parts = input.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new InvalidJidError(input, 'it must have two or three parts separated by ":"');
  }
  const [channel, chatId, subId] = parts as [string, string, string | undefined];
  if (!CHANNEL.test(channel)) {
    throw new InvalidJidError(
      input,
      `channel ${JSON.stringify(channel)} must be lowercase letters, digits or "-"`,
    );
  }
  if (!PLATFORM_ID.test(chatId)) {
    throw new InvalidJidError(
      input,
      `platform id ${JSON.stringify(chatId)} is empty or has invalid characters`,
    );
  }
  if (subId !== undefined && !PLATFORM_ID.test(subId)) {
    throw new InvalidJidError(
      input,
      `sub-thread id ${JSON.stringify(subId)} is empty or has invalid characters`,
    );
  }
  if (channel === 'telegram' && !/^-?\d+$/.test(chatId)) {
    throw new InvalidJidError(input, 'a Telegram chat id is an integer');
  }
  return { channel, chatId, subId: subId ?? null };
}

/** Builds a JID from its parts, validating them. */
export function buildJid(
  channel: string,
  chatId: string | number,
  subId?: string | number | null,
): Jid {
  const raw =
    subId === undefined || subId === null
      ? `${channel}:${chatId}`
      : `${channel}:${chatId}:${subId}`;
  parseJid(raw);
  return raw as Jid;
}

/** Validates a string as a JID and returns it typed. */
export function asJid(input: string): Jid {
  parseJid(input);
  return input as Jid;
}
