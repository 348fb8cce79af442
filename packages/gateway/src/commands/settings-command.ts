import {
  allowsLevel,
  CONFIG_KEY_NAMES,
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigSource,
  describeKeys,
  formatSetting,
  isConfigKey,
  readSetting,
  type SettingLevel,
  unknownKeyMessage,
} from '@gridbot/core';
import { changeConfig, effectiveBehaviour, type User, upsertUser } from '@gridbot/db';
import type { CommandContext } from './chat-command.ts';
import { actorOf, isAdmin } from './is-admin.ts';

/** How a value's level reads in chat. */
export const SOURCE_LABEL: Record<ConfigSource, string> = {
  global: 'global',
  user: 'your default',
  thread: 'this chat',
};

/** The sender as a user row (created or refreshed, `last_seen` included). */
export function senderUser({ db, message }: CommandContext): Promise<User> {
  return upsertUser(db, {
    channel: message.channel,
    platformUserId: message.sender.platformUserId,
    name: message.sender.name,
    username: message.sender.username,
    ...(message.sender.timeZone && { timeZone: message.sender.timeZone }),
  });
}

/** `/config …` or `/defaults …` split into its words: the subcommand, a key, and the rest. */
export function settingArgs(rest: string | undefined): {
  sub: string;
  key: string;
  value: string;
} {
  const text = (rest ?? '').trim();
  const [sub = '', key = '', ...value] = text.split(/\s+/);
  return { sub: sub.toLowerCase(), key: key.toLowerCase(), value: value.join(' ') };
}

/** The keys settable at `level` that are set in `stored`. */
function settableSetIn(stored: Record<string, unknown>, level: SettingLevel): ConfigKey[] {
  return CONFIG_KEY_NAMES.filter(
    (key) => CONFIG_KEYS[key].settable && allowsLevel(key, level) && Object.hasOwn(stored, key),
  );
}

/** What a settings command changes: the thread's overrides or the sender's defaults. */
interface Scope {
  level: SettingLevel;
  command: '/config' | '/defaults';
  /** `this chat` or `your defaults`. */
  where: string;
}

const SCOPES: Record<SettingLevel, Scope> = {
  thread: { level: 'thread', command: '/config', where: 'this chat' },
  user: { level: 'user', command: '/defaults', where: 'your defaults' },
};

/**
 * The common part of `/config` and `/defaults`: show, set, reset and help on one level of
 * the settings. Every change is checked against the key table and written to the audit log
 * with the change; in a group only admins change the chat's settings.
 */
export async function runSettings(
  context: CommandContext,
  level: SettingLevel,
  rest: string | undefined,
): Promise<void> {
  const { message, reply } = context;
  const scope = SCOPES[level];
  const { sub, key, value } = settingArgs(rest);
  if (message.sender.isBot) return reply('Settings are changed by people, not by bots.');
  if (sub === '' || sub === 'show') return reply(await show(context, scope));
  if (sub === 'help') return reply(help(scope));
  if (sub !== 'set' && sub !== 'reset') {
    return reply(
      `Unknown ${scope.command} subcommand "${sub}". Use ${scope.command} show, ${scope.command} set <key> <value>, ${scope.command} reset [key] or ${scope.command} help.`,
    );
  }
  if (level === 'thread' && context.thread.is_group && !(await isAdmin(context))) {
    return reply(
      "Only an admin can change this chat's settings. Your own defaults: /defaults set <key> <value>.",
    );
  }
  return sub === 'set' ? set(context, scope, key, value) : reset(context, scope, key);
}

async function show(context: CommandContext, scope: Scope): Promise<string> {
  const [user, globals] = await Promise.all([senderUser(context), context.globals()]);
  const { config, sources } = effectiveBehaviour(globals.config, context.thread, user);
  const lines: string[] = [];
  if (scope.level === 'thread') {
    lines.push('Settings in this chat (this chat over your defaults over global):');
    for (const key of CONFIG_KEY_NAMES) {
      const def = CONFIG_KEYS[key];
      if (!def.settable && sources[key] !== 'thread') continue;
      const label = def.settable ? SOURCE_LABEL[sources[key]] : 'this chat, set by the operator';
      lines.push(`${key}: ${formatSetting(config[key])} (${label})`);
    }
    if (context.thread.is_group) {
      lines.push(
        "In a group the defaults of whoever addresses me apply (shown: yours); the clock is the chat's.",
      );
    }
  } else {
    const own = user.config;
    lines.push('Your defaults (a chat’s own settings win over them):');
    for (const key of CONFIG_KEY_NAMES) {
      if (!CONFIG_KEYS[key].settable || !allowsLevel(key, 'user')) continue;
      lines.push(
        Object.hasOwn(own, key)
          ? `${key}: ${formatSetting(own[key])}`
          : `${key}: not set (global ${formatSetting(globals.config[key])})`,
      );
    }
    if (!Object.hasOwn(own, 'timezone') && user.tz_name) {
      lines.push(`Your time zone from your device: ${user.tz_name}`);
    }
  }
  if (!globals.fromWorkers) lines.push('No worker is up: global values are the built-in defaults.');
  lines.push(
    `${scope.command} set <key> <value> · ${scope.command} reset [key] · ${scope.command} help`,
  );
  return lines.join('\n');
}

function help(scope: Scope): string {
  return [
    `${scope.command} show · ${scope.command} set <key> <value> · ${scope.command} reset [key]. Keys for ${scope.where}:`,
    ...describeKeys(scope.level),
  ].join('\n');
}

async function set(
  context: CommandContext,
  scope: Scope,
  key: string,
  value: string,
): Promise<void> {
  const { reply } = context;
  if (!key || !value) {
    return reply(
      `Usage: ${scope.command} set <key> <value>, e.g. ${scope.command} set temperature 0.2. ${scope.command} help lists the keys.`,
    );
  }
  const globals = await context.globals();
  const setting = readSetting(key, value, scope.level, globals.config);
  if (!setting.ok) return reply(setting.error);
  const owner = await ownerOf(context, scope);
  const changed = await changeConfig(
    context.db,
    owner,
    { set: setting.key, value: setting.value },
    { actor: actorOf(context), target: targetOf(context, scope) },
  );
  if (!changed) return reply('This chat is gone; nothing was changed.');
  const note =
    scope.level === 'user' && context.thread.is_group && setting.key === 'timezone'
      ? " (in groups the chat's own clock applies)"
      : '';
  await reply(`${setting.key} is now ${formatSetting(setting.value)} in ${scope.where}${note}.`);
}

async function reset(context: CommandContext, scope: Scope, key: string): Promise<void> {
  const { reply } = context;
  if (key && (!isConfigKey(key) || !CONFIG_KEYS[key].settable || !allowsLevel(key, scope.level))) {
    return reply(unknownKeyMessage(key, scope.level));
  }
  const owner = await ownerOf(context, scope);
  const stored = owner.stored;
  const keys = key
    ? [key as ConfigKey].filter((k) => Object.hasOwn(stored, k))
    : settableSetIn(stored, scope.level);
  if (keys.length === 0) {
    return reply(
      key ? `${key} is not set in ${scope.where}.` : `Nothing is set in ${scope.where}.`,
    );
  }
  const changed = await changeConfig(
    context.db,
    owner,
    { reset: keys },
    { actor: actorOf(context), target: targetOf(context, scope) },
  );
  if (!changed) return reply('This chat is gone; nothing was changed.');
  // What applies now, one level down.
  const [user, globals] = await Promise.all([senderUser(context), context.globals()]);
  const thread =
    scope.level === 'thread' ? { ...context.thread, config: changed.after } : context.thread;
  const { config, sources } = effectiveBehaviour(globals.config, thread, user);
  const now = keys.map((k) => `${k} ${formatSetting(config[k])} (${SOURCE_LABEL[sources[k]]})`);
  await reply(`Reset in ${scope.where}. Now: ${now.join(', ')}.`);
}

/** Whose overrides a change goes to, with what they hold now. */
async function ownerOf(
  context: CommandContext,
  scope: Scope,
): Promise<{ table: 'threads' | 'users'; id: number; stored: Record<string, unknown> }> {
  if (scope.level === 'thread') {
    return { table: 'threads', id: context.thread.id, stored: context.thread.config };
  }
  const user = await senderUser(context);
  return { table: 'users', id: user.id, stored: user.config };
}

function targetOf({ thread, message }: CommandContext, scope: Scope): string {
  return scope.level === 'thread'
    ? `thread:${thread.jid}`
    : `user:${message.channel}:${message.sender.platformUserId}`;
}
