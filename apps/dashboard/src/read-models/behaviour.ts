import {
  allowsLevel,
  type BehaviourConfig,
  CONFIG_KEY_NAMES,
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeyDef,
  type ConfigKeyKind,
  type ConfigSource,
} from '@gridbot/core';
import {
  type Database,
  effectiveBehaviour,
  findUserById,
  type GlobalBehaviour,
  globalBehaviour,
  type Thread,
  type User,
} from '@gridbot/db';
import type { Kysely } from 'kysely';

/** One key of the table, as the form shows it. */
export interface ConfigKeyView {
  key: ConfigKey;
  description: string;
  range: string;
  kind: ConfigKeyKind;
  choices: readonly string[] | null;
  min: number | null;
  max: number | null;
  /** Whether the dashboard's form may change it (false: set by the operator only). */
  settable: boolean;
}

/** A key's effective value in a thread and where it comes from. */
export interface EffectiveSetting extends ConfigKeyView {
  value: unknown;
  source: ConfigSource;
  /** The thread's own value, or null when it has none. */
  override: unknown;
  global: unknown;
}

/** The thread's settings as its next run would resolve them. */
export interface ThreadBehaviourView {
  /** The person whose defaults apply: who addressed the assistant last (null: nobody yet). */
  appliesTo: { id: number; name: string; channel: string; platformUserId: string } | null;
  /** False when no worker is up: the global values are then the built-in defaults. */
  fromWorkers: boolean;
  provider: string | null;
  settings: EffectiveSetting[];
  resolved: BehaviourConfig;
}

export function keyView(key: ConfigKey): ConfigKeyView {
  const def = CONFIG_KEYS[key] as ConfigKeyDef;
  return {
    key,
    description: def.description,
    range: def.range,
    kind: def.kind,
    choices: def.choices ?? null,
    min: def.min ?? null,
    max: def.max ?? null,
    settable: def.settable,
  };
}

/** The global level for the dashboard: the workers', with the gateways' own limit. */
export function dashboardGlobals(
  db: Kysely<Database>,
  userTriggersPerMinute: number | undefined,
): Promise<GlobalBehaviour> {
  return globalBehaviour(
    db,
    userTriggersPerMinute === undefined ? {} : { user_triggers_per_minute: userTriggersPerMinute },
  );
}

/** The person whose message would start the thread's next run: the last to address the assistant. */
async function lastTriggeringSender(
  db: Kysely<Database>,
  threadId: number,
): Promise<User | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('sender_id')
    .where('thread_id', '=', threadId)
    .where('triggers', '=', true)
    .where('sender_id', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.sender_id ? findUserById(db, row.sender_id) : undefined;
}

/** Every key with its effective value in `thread`, its source, override and global value. */
export async function threadBehaviour(
  db: Kysely<Database>,
  thread: Thread,
  globals: GlobalBehaviour,
): Promise<ThreadBehaviourView> {
  const user = await lastTriggeringSender(db, thread.id);
  const { config, sources } = effectiveBehaviour(globals.config, thread, user);
  const stored = thread.config ?? {};
  return {
    appliesTo: user
      ? {
          id: user.id,
          name: user.name,
          channel: user.channel,
          platformUserId: user.platform_user_id,
        }
      : null,
    fromWorkers: globals.fromWorkers,
    provider: globals.provider,
    resolved: config,
    settings: CONFIG_KEY_NAMES.filter((key) => allowsLevel(key, 'thread')).map((key) => ({
      ...keyView(key),
      value: config[key],
      source: sources[key],
      override: Object.hasOwn(stored, key) ? stored[key] : null,
      global: globals.config[key],
    })),
  };
}

/** A person as the dashboard shows them. */
export interface UserView {
  id: number;
  channel: string;
  platformUserId: string;
  name: string;
  username: string | null;
  /** The zone their platform (or browser) reported. */
  platformTimeZone: string | null;
  lastSeen: string;
  /** Their stored defaults. */
  defaults: Record<string, unknown>;
}

export function userView(row: User): UserView {
  return {
    id: row.id,
    channel: row.channel,
    platformUserId: row.platform_user_id,
    name: row.name,
    username: row.username,
    platformTimeZone: row.tz_name,
    lastSeen: row.last_seen.toISOString(),
    defaults: row.config ?? {},
  };
}

/** A person's default for one key, beside the global value it replaces. */
export interface UserDefault extends ConfigKeyView {
  /** Their value, or null when they set none. */
  value: unknown;
  global: unknown;
}

/** Every key a person may set, with their value and the global one. */
export function userDefaults(row: User, globals: GlobalBehaviour): UserDefault[] {
  const own = row.config ?? {};
  return CONFIG_KEY_NAMES.filter(
    (key) => CONFIG_KEYS[key].settable && allowsLevel(key, 'user'),
  ).map((key) => ({
    ...keyView(key),
    value: Object.hasOwn(own, key) ? own[key] : null,
    global: globals.config[key],
  }));
}
