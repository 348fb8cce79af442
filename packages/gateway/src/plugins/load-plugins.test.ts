import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from './load-plugins.ts';
import { PluginLoadError } from './plugin-load-error.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURES = './tests/fixtures/plugins';
const logger = pino({ level: 'silent' });
const canned = { question: 'opening hours', answer: '9 to 5', redact: 'SECRET' };

const load = (entries: string[], config: Record<string, unknown> = {}) =>
  loadPlugins({ entries, config, logger, assistantName: 'Andy', cwd: REPO_ROOT });

describe('loadPlugins', () => {
  it('loads built-ins by name and plugins by path, in PLUGINS order, each with its own config', async () => {
    const host = await load([`${FIXTURES}/canned-answer.ts`, 'mention'], {
      'canned-answer': canned,
      mention: { triggerWords: ['hey bot'] },
    });
    expect(host.plugins.map((p) => [p.name, p.entry])).toEqual([
      ['canned-answer', `${FIXTURES}/canned-answer.ts`],
      ['mention', 'mention'],
    ]);
    expect(host.commands.map((c) => c.usage)).toEqual(['/fixture <words>']);
    expect(host.transformsOutbound).toBe(true);
    const thread = { id: 1, jid: 'telegram:1', isGroup: false, isMain: false };
    const message = {
      kind: 'message' as const,
      channel: 'telegram',
      chat: { jid: 'telegram:1', platformChatId: '1', title: null, isGroup: false },
      sender: { platformUserId: '1', name: 'A', username: null, isBot: false },
      platformMessageId: '1',
      text: 'what are the opening hours?',
      replyTo: null,
      mentionsBot: false,
      sentAt: new Date(),
      attachments: [],
    };
    expect(await host.inbound({ message, thread, triggers: true })).toMatchObject({
      action: 'reply',
      text: '9 to 5',
    });
  });

  it('loads nothing when PLUGINS is empty', async () => {
    const host = await load([]);
    expect(host.plugins).toEqual([]);
    expect(host.commands).toEqual([]);
  });

  it('names the plugin in every start-up error, with what to do', async () => {
    await expect(load(['./nowhere/plugin.ts'])).rejects.toThrow(
      `Plugin "./nowhere/plugin.ts" (PLUGINS): not found (no file ${REPO_ROOT}nowhere/plugin.ts; built-ins: auto-reply, mention)`,
    );
    await expect(load(['gridbot-plugin-that-does-not-exist'])).rejects.toThrow(
      /Plugin "gridbot-plugin-that-does-not-exist" \(PLUGINS\): not found \(no package of that name/,
    );
    await expect(load([`${FIXTURES}/not-a-plugin.ts`])).rejects.toThrow(
      'its default export must be a plugin: { name, create(config, tools) } (see definePlugin)',
    );
    await expect(load([`${FIXTURES}/failing-create.ts`])).rejects.toThrow(
      `Plugin "${FIXTURES}/failing-create.ts" (PLUGINS): could not start plugin "failing-create": the API key in PLUGIN_CONFIG is missing (its block in PLUGIN_CONFIG)`,
    );
    await expect(load([`${FIXTURES}/canned-answer.ts`])).rejects.toThrow(
      'could not start plugin "canned-answer": needs "question", "answer" and "redact" (strings)',
    );
    await expect(load(['mention', 'mention'], { mention: { ignoreWords: ['x'] } })).rejects.toThrow(
      'Plugin "mention" (PLUGINS): a plugin named "mention" is loaded already',
    );
    await expect(
      load(['mention'], { mention: { ignoreWords: ['x'] }, 'auto-replies': {} }),
    ).rejects.toThrow(
      'PLUGIN_CONFIG has a block for "auto-replies", but PLUGINS does not load it (loaded: mention)',
    );
    const error = await load(['auto-reply']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).entry).toBe('auto-reply');
    expect((error as Error).message).toContain(
      'rules: Invalid input: expected array, received undefined',
    );
  });
});
