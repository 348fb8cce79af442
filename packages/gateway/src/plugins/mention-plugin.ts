import { z } from 'zod';
import { definePlugin } from './plugin.ts';
import { describeIssues, wordPattern } from './word-match.ts';

const wordList = z.array(z.string().trim().min(1).max(200)).max(500).default([]);

const configSchema = z
  .object({
    /** Words that address the assistant in a chat that needs a trigger, like its @name does. */
    triggerWords: wordList,
    /** Platform user ids or `@usernames` whose messages never start a run (kept as context). */
    ignoreUsers: wordList,
    /** Words that keep a message from starting a run (e.g. `#noai`). */
    ignoreWords: wordList,
  })
  .strict()
  .refine((c) => c.triggerWords.length + c.ignoreUsers.length + c.ignoreWords.length > 0, {
    message: 'set at least one of triggerWords, ignoreUsers or ignoreWords',
  });

/**
 * `mention`: more ways to address the assistant, and people or words it leaves alone.
 * Ignoring wins over a trigger word; ignored messages are still stored, so the assistant
 * reads them as context when someone else addresses it.
 *
 * PLUGIN_CONFIG: `{"mention": {"triggerWords": ["hey bot"], "ignoreUsers": ["12345",
 * "@spammer"], "ignoreWords": ["#noai"]}}`
 */
export const mentionPlugin = definePlugin({
  name: 'mention',
  create(config) {
    const parsed = configSchema.safeParse(config);
    if (!parsed.success) throw new Error(describeIssues(parsed.error.issues));
    const { triggerWords, ignoreUsers, ignoreWords } = parsed.data;
    const triggers = triggerWords.map(wordPattern);
    const ignored = ignoreWords.map(wordPattern);
    const ids = new Set(ignoreUsers.filter((u) => !u.startsWith('@')));
    const usernames = new Set(
      ignoreUsers.filter((u) => u.startsWith('@')).map((u) => u.slice(1).toLowerCase()),
    );
    return {
      onInbound({ message, triggers: already }) {
        const { sender, text } = message;
        const ignoredSender =
          ids.has(sender.platformUserId) ||
          (sender.username !== null && usernames.has(sender.username.toLowerCase()));
        if (ignoredSender || ignored.some((w) => w.test(text)))
          return already ? { action: 'continue', trigger: false } : undefined;
        if (!already && triggers.some((w) => w.test(text)))
          return { action: 'continue', trigger: true };
        return undefined;
      },
    };
  },
});
