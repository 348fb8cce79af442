/** Escapes a string for literal use inside a regular expression. */
function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The default trigger: the message starts with `@<name>` as a word, case-insensitive. */
export function defaultTriggerPattern(assistantName: string): string {
  return `^@${escapeRegExp(assistantName)}\\b`;
}

export interface TriggerInput {
  text: string;
  isGroup: boolean;
  requiresTrigger: boolean;
  /** The thread's own pattern, or null for the default. */
  pattern: string | null;
  assistantName: string;
  mentionsBot: boolean;
  repliesToBot: boolean;
}

/**
 * Decides whether a message in a registered thread starts the agent: direct chats and
 * threads without a trigger always do; otherwise the pattern, a mention or a reply to the bot.
 */
export function shouldTrigger(input: TriggerInput): boolean {
  if (!input.isGroup || !input.requiresTrigger) return true;
  if (input.mentionsBot || input.repliesToBot) return true;
  const source = input.pattern ?? defaultTriggerPattern(input.assistantName);
  return compileTrigger(source).test(input.text.trim());
}

/** Compiles a trigger pattern case-insensitively; an invalid pattern matches nothing. */
export function compileTrigger(source: string): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch {
    return /(?!)/;
  }
}

/** Checks a user-supplied trigger pattern, returning the reason when it is not a valid regex. */
export function validateTriggerPattern(source: string): string | null {
  try {
    new RegExp(source, 'i');
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
