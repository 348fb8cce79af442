import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '@gridbot/service';
import { CHAT_COMMANDS } from '../commands/index.ts';
import { autoReplyPlugin } from './auto-reply-plugin.ts';
import { mentionPlugin } from './mention-plugin.ts';
import type { GridbotPlugin, PluginInstance } from './plugin.ts';
import { type LoadedPlugin, PluginHost } from './plugin-host.ts';
import { PluginLoadError } from './plugin-load-error.ts';

/** The plugins that ship with GridBot, by their `PLUGINS` name. */
export const BUILTIN_PLUGINS: ReadonlyMap<string, GridbotPlugin> = new Map(
  [autoReplyPlugin, mentionPlugin].map((plugin) => [plugin.name, plugin]),
);

export interface LoadPluginsOptions {
  /** `PLUGINS`, split: built-in names, package names, or paths (`./x.js`, `/abs/x.ts`). */
  entries: readonly string[];
  /** `PLUGIN_CONFIG`: one block per plugin name. */
  config: Readonly<Record<string, unknown>>;
  logger: Logger;
  assistantName: string;
  /** Where relative paths and packages are looked up; default the process's directory. */
  cwd?: string;
  /** See `PluginHostOptions.hookTimeoutMs`. */
  hookTimeoutMs?: number;
}

const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Loads and builds the plugins `PLUGINS` names, in order, and returns the host that runs
 * their hooks. Any problem (a module not found, a malformed export, a name used twice, a
 * config block no plugin claims, a `create` that throws) is a {@link PluginLoadError}
 * naming the entry: the gateway does not start half-configured.
 */
export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginHost> {
  const cwd = options.cwd ?? process.cwd();
  const loaded: LoadedPlugin[] = [];
  for (const entry of options.entries) {
    const plugin = await importPlugin(entry, cwd);
    if (loaded.some((p) => p.name === plugin.name))
      throw new PluginLoadError(entry, `a plugin named "${plugin.name}" is loaded already`);
    const logger = options.logger.child({ plugin: plugin.name });
    let instance: PluginInstance;
    try {
      instance = await plugin.create(options.config[plugin.name] ?? {}, {
        logger,
        assistantName: options.assistantName,
      });
    } catch (error) {
      throw new PluginLoadError(
        entry,
        `could not start plugin "${plugin.name}": ${(error as Error).message ?? String(error)} (its block in PLUGIN_CONFIG)`,
        { cause: error },
      );
    }
    if (typeof instance !== 'object' || instance === null)
      throw new PluginLoadError(entry, `create() of "${plugin.name}" returned no object of hooks`);
    loaded.push({ name: plugin.name, entry, instance });
    logger.info({ entry }, 'plugin loaded');
  }
  const names = loaded.map((p) => p.name);
  const unclaimed = Object.keys(options.config).filter((key) => !names.includes(key));
  if (unclaimed.length > 0) {
    throw new PluginLoadError(
      unclaimed[0]!,
      `PLUGIN_CONFIG has a block for ${unclaimed.map((k) => `"${k}"`).join(', ')}, but PLUGINS does not load it (loaded: ${names.join(', ') || 'none'})`,
    );
  }
  return new PluginHost(loaded, {
    logger: options.logger,
    builtinCommands: CHAT_COMMANDS,
    ...(options.hookTimeoutMs !== undefined && { hookTimeoutMs: options.hookTimeoutMs }),
  });
}

/** Whether a `PLUGINS` entry is a file path rather than a built-in or package name. */
function isPath(entry: string): boolean {
  return entry.startsWith('.') || isAbsolute(entry) || /\.(m?js|ts|mts)$/.test(entry);
}

async function importPlugin(entry: string, cwd: string): Promise<GridbotPlugin> {
  const builtin = BUILTIN_PLUGINS.get(entry);
  if (builtin) return builtin;
  let module: Record<string, unknown>;
  try {
    module = isPath(entry)
      ? await import(pathToFileURL(resolve(cwd, entry)).href)
      : await importPackage(entry, cwd);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new PluginLoadError(
      entry,
      missing
        ? `not found (${isPath(entry) ? `no file ${resolve(cwd, entry)}` : `no package of that name from ${cwd}`}; built-ins: ${[...BUILTIN_PLUGINS.keys()].join(', ')})`
        : `could not be imported: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const plugin = (module.default ?? module.plugin) as Partial<GridbotPlugin> | undefined;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.create !== 'function')
    throw new PluginLoadError(
      entry,
      'its default export must be a plugin: { name, create(config, tools) } (see definePlugin)',
    );
  if (typeof plugin.name !== 'string' || !PLUGIN_NAME.test(plugin.name))
    throw new PluginLoadError(
      entry,
      `its name ${JSON.stringify(plugin.name)} must be kebab-case (a-z, 0-9, "-")`,
    );
  return plugin as GridbotPlugin;
}

/** A package from the gateway's own dependencies, else from the working directory's. */
async function importPackage(name: string, cwd: string): Promise<Record<string, unknown>> {
  try {
    return await import(name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const path = createRequire(join(cwd, 'package.json')).resolve(name);
    return import(pathToFileURL(path).href);
  }
}
