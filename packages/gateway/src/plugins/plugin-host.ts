import type { Logger } from '@gridbot/service';
import type { ChatCommand } from '../commands/chat-command.ts';
import { commandWords } from '../commands/chat-command.ts';
import type {
  InboundHookContext,
  OutboundHookContext,
  PluginCommand,
  PluginInstance,
  PluginThread,
} from './plugin.ts';
import { PluginLoadError } from './plugin-load-error.ts';

/** A plugin built at start: its name, where it came from, and its hooks. */
export interface LoadedPlugin {
  name: string;
  /** Its `PLUGINS` entry. */
  entry: string;
  instance: PluginInstance;
}

export interface PluginHostOptions {
  logger: Logger;
  /** How long one hook may take before it is skipped for that event. Default 5 s. */
  hookTimeoutMs?: number;
  /** The built-in commands, whose words plugins may not take. */
  builtinCommands?: readonly ChatCommand[];
}

/** What the inbound hooks decided together. */
export type InboundDecision =
  | { action: 'continue'; triggers: boolean; context: string[] }
  | { action: 'reply'; text: string; plugin: string }
  | { action: 'drop'; plugin: string };

/** Longest text an inbound hook may add or an auto-reply may send. */
const MAX_HOOK_TEXT = 4_000;
const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;

/** A hook took longer than the host's timeout. */
class HookTimeoutError extends Error {
  constructor(ms: number) {
    super(`did not finish within ${ms} ms`);
    this.name = 'HookTimeoutError';
  }
}

/**
 * Runs the plugins' hooks in `PLUGINS` order, each isolated: a hook that throws, times out or
 * returns something malformed is logged and skipped for that event, and the event goes on as
 * if the plugin were absent. Nothing a plugin does can lose or hold up a message.
 */
export class PluginHost {
  readonly plugins: readonly LoadedPlugin[];
  /** The plugins' chat commands, wrapped as gateway commands (errors isolated too). */
  readonly commands: readonly ChatCommand[];
  readonly #logger: Logger;
  readonly #timeoutMs: number;

  /** Throws a {@link PluginLoadError} when a plugin's command is malformed or taken. */
  constructor(plugins: readonly LoadedPlugin[], options: PluginHostOptions) {
    this.plugins = plugins;
    this.#logger = options.logger;
    this.#timeoutMs = options.hookTimeoutMs ?? 5_000;
    const taken = new Map<string, string>();
    for (const command of options.builtinCommands ?? []) {
      for (const word of commandWords(command)) taken.set(word, 'a built-in command');
    }
    const commands: ChatCommand[] = [];
    for (const plugin of plugins) {
      for (const command of plugin.instance.commands ?? []) {
        const name = String(command?.name);
        if (
          !COMMAND_NAME.test(name) ||
          typeof command.summary !== 'string' ||
          typeof command.run !== 'function'
        )
          throw new PluginLoadError(
            plugin.entry,
            `command ${JSON.stringify(name)} needs a name of 1-32 characters a-z, 0-9 or "_", a summary and a run function`,
          );
        const owner = taken.get(name);
        if (owner)
          throw new PluginLoadError(plugin.entry, `command /${name} is ${owner}'s already`);
        taken.set(name, `plugin ${plugin.name}`);
        commands.push(this.#wrap(plugin, command));
      }
    }
    this.commands = commands;
  }

  /** Whether any plugin transforms outbound replies (egress skips the work otherwise). */
  get transformsOutbound(): boolean {
    return this.plugins.some((p) => typeof p.instance.onOutbound === 'function');
  }

  /** Runs the inbound hooks on a message that, so far, `triggers` or not. */
  async inbound(
    context: Omit<InboundHookContext, 'triggers'> & { triggers: boolean },
  ): Promise<InboundDecision> {
    let triggers = context.triggers;
    const added: string[] = [];
    if (!this.plugins.some((p) => typeof p.instance.onInbound === 'function'))
      return { action: 'continue', triggers, context: added };
    // A plugin that changes the message it was shown changes nothing GridBot stores.
    const message = structuredClone(context.message);
    for (const plugin of this.plugins) {
      const hook = plugin.instance.onInbound;
      if (typeof hook !== 'function') continue;
      const verdict = await this.#call(plugin, 'onInbound', () =>
        hook.call(plugin.instance, { message, thread: context.thread, triggers }),
      );
      if (verdict === undefined || verdict === null) continue;
      if (typeof verdict !== 'object') {
        this.#malformed(plugin, 'onInbound', verdict);
        continue;
      }
      if (verdict.action === 'drop') return { action: 'drop', plugin: plugin.name };
      if (verdict.action === 'reply') {
        if (typeof verdict.text === 'string' && verdict.text.trim() !== '')
          return {
            action: 'reply',
            text: verdict.text.slice(0, MAX_HOOK_TEXT),
            plugin: plugin.name,
          };
        this.#malformed(plugin, 'onInbound', verdict);
        continue;
      }
      if (verdict.action !== 'continue') {
        this.#malformed(plugin, 'onInbound', verdict);
        continue;
      }
      if (typeof verdict.trigger === 'boolean') triggers = verdict.trigger;
      if (typeof verdict.context === 'string' && verdict.context.trim() !== '')
        added.push(`(${plugin.name}: ${verdict.context.trim().slice(0, MAX_HOOK_TEXT)})`);
    }
    return { action: 'continue', triggers, context: added };
  }

  /** Runs the outbound hooks on a reply's text; returns what to send. */
  async outbound(context: OutboundHookContext): Promise<string> {
    let text = context.text;
    for (const plugin of this.plugins) {
      const hook = plugin.instance.onOutbound;
      if (typeof hook !== 'function') continue;
      const result = await this.#call(plugin, 'onOutbound', () =>
        hook.call(plugin.instance, { ...context, text }),
      );
      if (result === undefined || result === null) continue;
      if (typeof result === 'string' && result.trim() !== '') text = result;
      else this.#malformed(plugin, 'onOutbound', result);
    }
    return text;
  }

  /** Runs one hook with the timeout; undefined (and a log line) when it fails. */
  async #call<T>(
    plugin: LoadedPlugin,
    hook: string,
    run: () => T | Promise<T>,
  ): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeoutError(this.#timeoutMs)), this.#timeoutMs);
      });
      return await Promise.race([Promise.resolve().then(run), timeout]);
    } catch (error) {
      this.#logger.error(
        { err: error, plugin: plugin.name, hook },
        'plugin hook failed; skipped for this event',
      );
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  #malformed(plugin: LoadedPlugin, hook: string, value: unknown): void {
    this.#logger.error(
      {
        plugin: plugin.name,
        hook,
        returned: JSON.stringify(value)?.slice(0, 200) ?? String(value),
      },
      'plugin hook returned something it may not; skipped for this event',
    );
  }

  #wrap(plugin: LoadedPlugin, command: PluginCommand): ChatCommand {
    const { name } = command;
    return {
      name,
      usage: command.usage ?? `/${name}`,
      summary: command.summary,
      pattern: new RegExp(`^/${name}(?:@[\\w.]+)?(?:\\s+([\\s\\S]*))?$`, 'i'),
      run: async ({ message, thread, match, reply }) => {
        let replied = false;
        const result = await this.#call(plugin, `/${name}`, async () => {
          await command.run({
            message,
            thread: pluginThread(thread),
            args: (match[1] ?? '').trim(),
            reply: async (text) => {
              replied = true;
              await reply(text);
            },
          });
          return true;
        });
        if (result === undefined && !replied)
          await reply(
            `/${name} failed (plugin ${plugin.name}); the error is in the gateway's log.`,
          );
      },
    };
  }
}

/** How hooks see a thread. */
export function pluginThread(thread: {
  id: number;
  jid: string;
  is_group: boolean;
  is_main: boolean;
}): PluginThread {
  return { id: thread.id, jid: thread.jid, isGroup: thread.is_group, isMain: thread.is_main };
}
