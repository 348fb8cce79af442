import type { InboundMessage } from '@gridbot/core';
import type { Logger } from '@gridbot/service';

/**
 * The plugin interface (see the README, "Plugins"). A plugin module's default export is a
 * {@link GridbotPlugin}: a name and a `create` that receives the plugin's config block and
 * returns its hooks. Every hook may be async; one that throws or takes longer than the
 * gateway's hook timeout is logged and skipped for that event, never losing the message.
 */

/** The chat an event belongs to, as hooks see it. */
export interface PluginThread {
  id: number;
  jid: string;
  isGroup: boolean;
  /** The operator's own chat. */
  isMain: boolean;
}

/**
 * What `onInbound` sees: a message of a registered chat after normalization and admission,
 * after chat commands were answered (commands never reach it), before it is stored.
 */
export interface InboundHookContext {
  readonly message: Readonly<InboundMessage>;
  readonly thread: PluginThread;
  /** Whether the message starts a run, as decided so far (the chat's trigger, earlier plugins). */
  readonly triggers: boolean;
}

/**
 * What `onInbound` decides; returning nothing is `continue` unchanged.
 * - `continue`: the message goes on; `trigger` overrides whether it starts a run (a bot's
 *   message never does), `context` is appended to the stored text the assistant reads.
 * - `reply`: answered with `text` at once, without the assistant. The message is stored as
 *   context (it starts no run) and the answer goes out through the outbox like every reply.
 * - `drop`: neither stored nor answered.
 * The first plugin (in `PLUGINS` order) that replies or drops ends the chain.
 */
export type InboundVerdict =
  | { action: 'continue'; trigger?: boolean; context?: string }
  | { action: 'reply'; text: string }
  | { action: 'drop' };

/** What `onOutbound` sees: one reply about to be sent for the first time. */
export interface OutboundHookContext {
  readonly text: string;
  readonly jid: string;
  readonly channel: string;
  readonly threadId: number;
  /** True for the assistant's replies, false for GridBot's own (commands, notices, auto-replies). */
  readonly fromRun: boolean;
}

/** What a plugin's chat command receives. */
export interface PluginCommandContext {
  readonly message: Readonly<InboundMessage>;
  readonly thread: PluginThread;
  /** The text after the command word (and `@BotName`), trimmed; '' when none. */
  readonly args: string;
  /** Answers in the chat, through the outbox. */
  reply(text: string): Promise<void>;
}

/** A chat command a plugin adds: `/name [args]`, listed by `/help`. */
export interface PluginCommand {
  /** The command word without `/`: 1-32 of a-z, 0-9, `_`; must not clash with another command. */
  name: string;
  /** How it is typed, for `/help`; default `/<name>`. */
  usage?: string;
  /** One line for `/help`. */
  summary: string;
  run(context: PluginCommandContext): void | Promise<void>;
}

type MaybePromise<T> = T | Promise<T>;

/** What `create` returns: any of the hooks, and commands. */
export interface PluginInstance {
  onInbound?(context: InboundHookContext): MaybePromise<InboundVerdict | undefined>;
  /** Returns the text to send instead (or nothing to keep it); runs once per reply, not per retry. */
  onOutbound?(context: OutboundHookContext): MaybePromise<string | undefined>;
  commands?: readonly PluginCommand[];
}

/** What `create` is given besides the config block. */
export interface PluginTools {
  /** A child logger bound to the plugin's name. */
  logger: Logger;
  /** `ASSISTANT_NAME`. */
  assistantName: string;
}

/** A plugin module's default export. */
export interface GridbotPlugin {
  /** The plugin's name: its key in `PLUGIN_CONFIG`, and how logs name it (kebab-case). */
  name: string;
  /**
   * Builds the plugin from its `PLUGIN_CONFIG` block (`{}` when it has none). Throwing here
   * stops the gateway at start with a message naming the plugin, so check the config here.
   */
  create(config: unknown, tools: PluginTools): MaybePromise<PluginInstance>;
}

/** Types a plugin definition (an identity function, for editors and `tsc`). */
export function definePlugin(plugin: GridbotPlugin): GridbotPlugin {
  return plugin;
}
