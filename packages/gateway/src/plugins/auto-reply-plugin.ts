import { z } from 'zod';
import { definePlugin } from './plugin.ts';
import { describeIssues, wordPattern } from './word-match.ts';

const ruleSchema = z
  .object({
    /** A word or phrase, matched as whole words, case-insensitively. */
    keyword: z.string().trim().min(1).max(200).optional(),
    /** A regular expression (JavaScript syntax), case-insensitive. */
    pattern: z.string().min(1).max(500).optional(),
    reply: z.string().trim().min(1).max(4_000),
  })
  .strict()
  .refine((rule) => (rule.keyword === undefined) !== (rule.pattern === undefined), {
    message: 'each rule needs exactly one of "keyword" or "pattern", and a "reply"',
  })
  .superRefine((rule, ctx) => {
    if (rule.pattern === undefined) return;
    try {
      new RegExp(rule.pattern, 'iu');
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
    }
  });

const configSchema = z
  .object({
    rules: z.array(ruleSchema).min(1, 'give at least one rule'),
    /**
     * `addressed` (default): only messages that would start a run (in a group: those that
     * address the assistant); `all`: every message of a registered chat.
     */
    when: z.enum(['addressed', 'all']).default('addressed'),
  })
  .strict();

/**
 * `auto-reply`: answers messages matching a keyword or a pattern with a fixed text, without
 * the assistant (no model call, no run). The first matching rule answers.
 *
 * PLUGIN_CONFIG: `{"auto-reply": {"rules": [{"keyword": "opening hours", "reply": "9 to 5"},
 * {"pattern": "^ping$", "reply": "pong"}], "when": "addressed"}}`
 */
export const autoReplyPlugin = definePlugin({
  name: 'auto-reply',
  create(config) {
    const parsed = configSchema.safeParse(config);
    if (!parsed.success) throw new Error(describeIssues(parsed.error.issues));
    const rules = parsed.data.rules.map((rule) => ({
      test:
        rule.keyword !== undefined ? wordPattern(rule.keyword) : new RegExp(rule.pattern!, 'iu'),
      reply: rule.reply,
    }));
    const always = parsed.data.when === 'all';
    return {
      onInbound({ message, triggers }) {
        if (message.sender.isBot || (!always && !triggers)) return;
        const rule = rules.find((r) => r.test.test(message.text));
        return rule ? { action: 'reply', text: rule.reply } : undefined;
      },
    };
  },
});
