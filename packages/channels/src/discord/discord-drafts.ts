import type { REST } from 'discord.js';
import type { DraftSurface, PlaceholderSurface } from '../channel-adapter.ts';
import { DraftPlaceholders } from '../draft-placeholders.ts';
import { editDiscordText, sendDiscordText } from './send-text.ts';

/** Room left in a draft for the " …" that marks it unfinished. */
const DRAFT_MAX = 1900;

/**
 * Streamed replies on Discord: the draft goes into one placeholder message (quiet, as every
 * message GridBot posts), edited as it grows, and the reply's first chunk replaces it.
 */
export function discordDrafts(
  rest: () => REST,
  maxLength: number,
): { drafts: DraftSurface; placeholders: PlaceholderSurface } {
  const placeholders = new DraftPlaceholders();
  const plain = { replyTo: null };
  return {
    drafts: {
      show: (jid, text) =>
        placeholders.show(
          jid,
          () => sendDiscordText(rest(), jid, `${text.slice(0, DRAFT_MAX)} …`, plain, maxLength),
          (messageId) =>
            editDiscordText(
              rest(),
              jid,
              messageId,
              `${text.slice(0, DRAFT_MAX)} …`,
              plain,
              maxLength,
            ),
        ),
      end: async (jid) => placeholders.end(jid),
    },
    placeholders: {
      take: (jid) => placeholders.take(jid),
      finish: (jid, messageId, text, options) =>
        editDiscordText(rest(), jid, messageId, text, options, maxLength),
    },
  };
}
