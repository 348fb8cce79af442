import type { InboundMessage } from '@gridbot/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { autoReplyPlugin } from './auto-reply-plugin.ts';
import { mentionPlugin } from './mention-plugin.ts';
import type { InboundVerdict, PluginInstance } from './plugin.ts';

const tools = { logger: pino({ level: 'silent' }), assistantName: 'Andy' };
const thread = { id: 1, jid: 'telegram:-1', isGroup: true, isMain: false };

function message(text: string, sender: Partial<InboundMessage['sender']> = {}): InboundMessage {
  return {
    kind: 'message',
    channel: 'telegram',
    chat: { jid: 'telegram:-1', platformChatId: '-1', title: 'Team', isGroup: true },
    sender: { platformUserId: '7', name: 'Alice', username: 'alice', isBot: false, ...sender },
    platformMessageId: '10',
    text,
    replyTo: null,
    mentionsBot: false,
    sentAt: new Date(),
    attachments: [],
  };
}

async function verdict(
  plugin: PluginInstance,
  text: string,
  triggers: boolean,
  sender?: Partial<InboundMessage['sender']>,
): Promise<InboundVerdict | undefined> {
  return (
    (await plugin.onInbound?.({ message: message(text, sender), thread, triggers })) ?? undefined
  );
}

describe('auto-reply', () => {
  const rules = [
    { keyword: 'opening hours', reply: 'We are open 9 to 5.' },
    { pattern: '^ping$', reply: 'pong' },
  ];

  it('answers the first matching rule: keywords as whole words, patterns case-insensitively', async () => {
    const plugin = await autoReplyPlugin.create({ rules }, tools);
    expect(await verdict(plugin, '@Andy what are the Opening Hours?', true)).toEqual({
      action: 'reply',
      text: 'We are open 9 to 5.',
    });
    expect(await verdict(plugin, 'PING', true)).toEqual({ action: 'reply', text: 'pong' });
    expect(await verdict(plugin, 'reopening hourses', true)).toBeUndefined();
    expect(await verdict(plugin, 'ping me later', true)).toBeUndefined();
  });

  it('answers only messages addressed to the assistant unless when is "all", and never a bot', async () => {
    const addressed = await autoReplyPlugin.create({ rules }, tools);
    expect(await verdict(addressed, 'ping', false)).toBeUndefined();
    const all = await autoReplyPlugin.create({ rules, when: 'all' }, tools);
    expect(await verdict(all, 'ping', false)).toEqual({ action: 'reply', text: 'pong' });
    expect(await verdict(all, 'ping', true, { isBot: true })).toBeUndefined();
  });

  it('refuses a config it cannot use, saying what is wrong', async () => {
    const bad = async (config: unknown) =>
      (async () => autoReplyPlugin.create(config, tools))().catch((e: Error) => e.message);
    expect(await bad({ rules: [] })).toBe('rules: give at least one rule');
    expect(await bad({ rules: [{ reply: 'x' }] })).toBe(
      'rules.0: each rule needs exactly one of "keyword" or "pattern", and a "reply"',
    );
    expect(await bad({ rules: [{ pattern: '(', reply: 'x' }] })).toMatch(
      /^rules\.0\.pattern: Invalid regular expression/,
    );
    expect(await bad({ rules, when: 'sometimes' })).toMatch(/^when: Invalid option/);
    expect(await bad({ rules, extra: 1 })).toMatch(/Unrecognized key: "extra"/);
  });
});

describe('mention', () => {
  it('starts a run on a trigger word, and keeps ignored people and words from starting one', async () => {
    const plugin = await mentionPlugin.create(
      {
        triggerWords: ['hey bot', 'Assistent'],
        ignoreUsers: ['99', '@Spammer'],
        ignoreWords: ['#noai'],
      },
      tools,
    );
    expect(await verdict(plugin, 'Hey bot, lunch?', false)).toEqual({
      action: 'continue',
      trigger: true,
    });
    expect(await verdict(plugin, 'assistent: hilf mir', false)).toEqual({
      action: 'continue',
      trigger: true,
    });
    expect(await verdict(plugin, 'hey botanist', false)).toBeUndefined();
    expect(await verdict(plugin, '@Andy hi', true)).toBeUndefined();
    expect(await verdict(plugin, '@Andy hi #noai', true)).toEqual({
      action: 'continue',
      trigger: false,
    });
    expect(await verdict(plugin, '@Andy hi', true, { platformUserId: '99' })).toEqual({
      action: 'continue',
      trigger: false,
    });
    expect(await verdict(plugin, 'hey bot', false, { username: 'spammer' })).toBeUndefined();
  });

  it('refuses an empty config', async () => {
    await expect((async () => mentionPlugin.create({}, tools))()).rejects.toThrow(
      'set at least one of triggerWords, ignoreUsers or ignoreWords',
    );
  });
});
