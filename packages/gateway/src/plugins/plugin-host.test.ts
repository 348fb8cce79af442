import type { InboundMessage } from '@gridbot/core';
import type { Thread } from '@gridbot/db';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../commands/chat-command.ts';
import { CHAT_COMMANDS } from '../commands/index.ts';
import type { PluginInstance } from './plugin.ts';
import { type LoadedPlugin, PluginHost } from './plugin-host.ts';
import { PluginLoadError } from './plugin-load-error.ts';

/** A logger whose lines are kept, to see what a failing plugin leaves in the log. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

const message: InboundMessage = {
  kind: 'message',
  channel: 'telegram',
  chat: { jid: 'telegram:-1', platformChatId: '-1', title: 'Team', isGroup: true },
  sender: { platformUserId: '7', name: 'Alice', username: 'alice', isBot: false },
  platformMessageId: '10',
  text: 'what are the opening hours?',
  replyTo: null,
  mentionsBot: false,
  sentAt: new Date(),
  attachments: [],
};
const thread = { id: 1, jid: 'telegram:-1', isGroup: true, isMain: false };

const plugin = (name: string, instance: PluginInstance): LoadedPlugin => ({
  name,
  entry: `./${name}.ts`,
  instance,
});

describe('PluginHost.inbound', () => {
  it('runs the hooks in order; each sees the trigger decided before it and adds context', async () => {
    const seen: boolean[] = [];
    const host = new PluginHost(
      [
        plugin('first', {
          onInbound: ({ triggers }) => {
            seen.push(triggers);
            return { action: 'continue', trigger: true, context: 'weather: sunny' };
          },
        }),
        plugin('second', {
          onInbound: async ({ triggers }) => {
            seen.push(triggers);
            return { action: 'continue', context: 'user is in Berlin' };
          },
        }),
      ],
      { logger: recordingLogger().logger },
    );
    const decision = await host.inbound({ message, thread, triggers: false });
    expect(seen).toEqual([false, true]);
    expect(decision).toEqual({
      action: 'continue',
      triggers: true,
      context: ['(first: weather: sunny)', '(second: user is in Berlin)'],
    });
  });

  it('stops at the first plugin that answers or drops', async () => {
    let later = 0;
    const after = plugin('after', { onInbound: () => void later++ });
    const answering = new PluginHost(
      [plugin('faq', { onInbound: () => ({ action: 'reply', text: '9 to 5' }) }), after],
      { logger: recordingLogger().logger },
    );
    expect(await answering.inbound({ message, thread, triggers: true })).toEqual({
      action: 'reply',
      text: '9 to 5',
      plugin: 'faq',
    });
    const dropping = new PluginHost(
      [plugin('spam', { onInbound: () => ({ action: 'drop' }) }), after],
      {
        logger: recordingLogger().logger,
      },
    );
    expect(await dropping.inbound({ message, thread, triggers: true })).toEqual({
      action: 'drop',
      plugin: 'spam',
    });
    expect(later).toBe(0);
  });

  it('skips a plugin that throws, hangs or answers nonsense, logs it, and goes on with the rest', async () => {
    const { logger, lines } = recordingLogger();
    const host = new PluginHost(
      [
        plugin('thrower', {
          onInbound: () => {
            throw new Error('boom');
          },
        }),
        plugin('hanger', { onInbound: () => new Promise(() => {}) }),
        plugin('nonsense', { onInbound: () => ({ action: 'explode' }) as never }),
        plugin('empty-reply', { onInbound: () => ({ action: 'reply', text: '  ' }) }),
        plugin('fine', { onInbound: () => ({ action: 'continue', context: 'still here' }) }),
      ],
      { logger, hookTimeoutMs: 50 },
    );
    const decision = await host.inbound({ message, thread, triggers: true });
    expect(decision).toEqual({
      action: 'continue',
      triggers: true,
      context: ['(fine: still here)'],
    });
    const failures = lines.filter((l) => l.level === 50).map((l) => [l.plugin, l.msg]);
    expect(failures).toEqual([
      ['thrower', 'plugin hook failed; skipped for this event'],
      ['hanger', 'plugin hook failed; skipped for this event'],
      ['nonsense', 'plugin hook returned something it may not; skipped for this event'],
      ['empty-reply', 'plugin hook returned something it may not; skipped for this event'],
    ]);
    expect(lines.find((l) => l.plugin === 'thrower')?.err).toMatchObject({ message: 'boom' });
    expect(lines.find((l) => l.plugin === 'hanger')?.err).toMatchObject({
      message: 'did not finish within 50 ms',
    });
  });
});

describe('PluginHost.outbound', () => {
  const reply = {
    text: 'Hello',
    jid: 'telegram:-1',
    channel: 'telegram',
    threadId: 1,
    fromRun: true,
  };

  it('passes the text through each transform in order, skipping those that fail', async () => {
    const { logger, lines } = recordingLogger();
    const host = new PluginHost(
      [
        plugin('sign', { onOutbound: ({ text }) => `${text}\n— GridBot` }),
        plugin('broken', {
          onOutbound: () => {
            throw new Error('nope');
          },
        }),
        plugin('blank', { onOutbound: () => '' }),
        plugin('keep', { onOutbound: () => undefined }),
        plugin('shout', { onOutbound: async ({ text }) => text.toUpperCase() }),
      ],
      { logger },
    );
    expect(host.transformsOutbound).toBe(true);
    expect(await host.outbound(reply)).toBe('HELLO\n— GRIDBOT');
    expect(lines.filter((l) => l.level === 50).map((l) => l.plugin)).toEqual(['broken', 'blank']);
  });

  it('says when no plugin transforms replies', () => {
    const host = new PluginHost([plugin('quiet', { onInbound: () => undefined })], {
      logger: recordingLogger().logger,
    });
    expect(host.transformsOutbound).toBe(false);
  });
});

describe("the plugins' chat commands", () => {
  const dbThread = { id: 1, jid: 'telegram:-1', is_group: true, is_main: false } as Thread;

  async function invoke(host: PluginHost, text: string): Promise<string[]> {
    const replies: string[] = [];
    const command = host.commands.find((c) => c.pattern.test(text));
    if (!command) throw new Error(`no command for ${text}`);
    await command.run({
      thread: dbThread,
      message: { ...message, text },
      match: command.pattern.exec(text)!,
      reply: async (t: string) => void replies.push(t),
    } as unknown as CommandContext);
    return replies;
  }

  it('are typed /name [args] (with @BotName), get their arguments, and keep their usage', async () => {
    const host = new PluginHost(
      [
        plugin('weather', {
          commands: [
            {
              name: 'weather',
              usage: '/weather <city>',
              summary: 'the weather in a city',
              run: ({ args, reply }) => reply(`Sunny in ${args || 'nowhere'}`),
            },
          ],
        }),
      ],
      { logger: recordingLogger().logger, builtinCommands: CHAT_COMMANDS },
    );
    expect(host.commands.map((c) => [c.usage, c.summary])).toEqual([
      ['/weather <city>', 'the weather in a city'],
    ]);
    expect(await invoke(host, '/weather@GridBot  Berlin ')).toEqual(['Sunny in Berlin']);
    expect(await invoke(host, '/weather')).toEqual(['Sunny in nowhere']);
    expect(host.commands[0]!.pattern.test('/weatherman')).toBe(false);
  });

  it('that fail tell the chat so, and the error goes to the log', async () => {
    const { logger, lines } = recordingLogger();
    const host = new PluginHost(
      [
        plugin('flaky', {
          commands: [
            {
              name: 'flaky',
              summary: 'fails',
              run: () => {
                throw new Error('db down');
              },
            },
          ],
        }),
      ],
      { logger },
    );
    expect(await invoke(host, '/flaky')).toEqual([
      "/flaky failed (plugin flaky); the error is in the gateway's log.",
    ]);
    expect(lines.find((l) => l.plugin === 'flaky')?.err).toMatchObject({ message: 'db down' });
  });

  it("may not take a built-in word, another plugin's, or a malformed name", () => {
    const logger = recordingLogger().logger;
    const cmd = (name: string) => ({ commands: [{ name, summary: 's', run: () => {} }] });
    expect(
      () => new PluginHost([plugin('x', cmd('stop'))], { logger, builtinCommands: CHAT_COMMANDS }),
    ).toThrow(new PluginLoadError('./x.ts', "command /stop is a built-in command's already"));
    expect(
      () =>
        new PluginHost([plugin('x', cmd('reject'))], { logger, builtinCommands: CHAT_COMMANDS }),
    ).toThrow(/command \/reject is a built-in command's already/);
    expect(
      () => new PluginHost([plugin('a', cmd('faq')), plugin('b', cmd('faq'))], { logger }),
    ).toThrow('Plugin "./b.ts" (PLUGINS): command /faq is plugin a\'s already');
    expect(() => new PluginHost([plugin('a', cmd('Bad Name'))], { logger })).toThrow(
      /command "Bad Name" needs a name of 1-32 characters/,
    );
  });
});
