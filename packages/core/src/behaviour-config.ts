import type { z } from 'zod';
import { z as zod } from 'zod';
import {
  CONFIG_KEY_NAMES,
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeyDef,
  type ConfigSource,
} from './config-keys.ts';

type Shape = { [K in ConfigKey]: (typeof CONFIG_KEYS)[K]['schema'] };

/**
 * Behaviour settings, resolved global → user → thread (see {@link CONFIG_KEYS} for each
 * key's check and meaning). Every key is optional at the user and thread levels; the global
 * level supplies all of them.
 */
export const behaviourConfigSchema = zod.object(
  Object.fromEntries(CONFIG_KEY_NAMES.map((key) => [key, CONFIG_KEYS[key].schema])) as Shape,
);
export type BehaviourConfig = z.infer<typeof behaviourConfigSchema>;

export const partialBehaviourConfigSchema = behaviourConfigSchema.partial().strict();
export type PartialBehaviourConfig = z.infer<typeof partialBehaviourConfigSchema>;

/** The built-in defaults, before any environment or user override. */
export const DEFAULT_BEHAVIOUR: BehaviourConfig = {
  model: 'echo',
  temperature: 0.7,
  top_p: 1,
  reasoning_effort: 'medium',
  verbosity: 'medium',
  max_tokens: 4096,
  timezone: 'UTC',
  history_limit: 30,
  max_steps: 20,
  daily_token_budget: 0,
  tools_requiring_approval: [],
  image_detail: 'auto',
  language: '',
  user_triggers_per_minute: 10,
  sandbox: {},
  additional_mounts: [],
};

/** The user level of a resolution: the person's stored defaults and their platform's zone. */
export interface UserLevel {
  /** `users.config`. */
  config: unknown;
  /** The zone the platform (or the browser) reported, used when they set none themselves. */
  timezone?: string | null;
}

export interface ResolveInput {
  global: BehaviourConfig;
  /** The triggering sender's level, or null (a task, or nobody known). */
  user?: UserLevel | null;
  /** `threads.config` and whether it is a group (a group keeps its own clock). */
  thread?: { config: unknown; isGroup: boolean } | null;
}

/** The effective config and, per key, the level its value comes from. */
export interface ResolvedBehaviour {
  config: BehaviourConfig;
  sources: Record<ConfigKey, ConfigSource>;
}

/** A stored override's value for `key`, or undefined when absent or not valid. */
function storedValue(raw: unknown, key: ConfigKey): unknown {
  if (raw === null || typeof raw !== 'object' || !Object.hasOwn(raw, key)) return undefined;
  const value = (raw as Record<string, unknown>)[key];
  const parsed = (CONFIG_KEYS[key] as ConfigKeyDef).schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * `base` with each valid key of `raw` in its place, ignoring levels and ceilings: how a
 * process reads the global level another one published.
 */
export function withValidKeys(base: BehaviourConfig, raw: unknown): BehaviourConfig {
  const out: Record<string, unknown> = { ...base };
  for (const key of CONFIG_KEY_NAMES) {
    const value = storedValue(raw, key);
    if (value !== undefined) out[key] = value;
  }
  return out as BehaviourConfig;
}

/**
 * `value` cut down to the operator's ceiling `global` for a capped key; for the daily budget
 * 0 means no limit, so an operator's 0 caps nothing and an override's 0 lifts nothing.
 */
export function withinCap(key: ConfigKey, value: number, global: number): number {
  if (key === 'daily_token_budget') {
    if (global === 0) return value;
    if (value === 0) return global;
  }
  return Math.min(value, global);
}

/**
 * The one resolution of behaviour settings: the global value of each key, replaced by the
 * user's valid override, then the thread's, where the key allows that level. Capped keys
 * never exceed the global value; in a group the clock is the group's (a member's own zone
 * does not apply). The worker, the chat commands and the dashboard all call this.
 */
export function resolveBehaviour(input: ResolveInput): ResolvedBehaviour {
  const { global, user, thread } = input;
  const config: Record<string, unknown> = { ...global };
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of CONFIG_KEY_NAMES) {
    const def = CONFIG_KEYS[key] as ConfigKeyDef;
    sources[key] = 'global';
    let value: unknown;
    if (user && def.levels.includes('user') && !(key === 'timezone' && thread?.isGroup)) {
      value = storedValue(user.config, key);
      if (value === undefined && key === 'timezone' && user.timezone) {
        value = storedValue({ timezone: user.timezone }, key);
      }
      if (value !== undefined) sources[key] = 'user';
    }
    if (thread && def.levels.includes('thread')) {
      const own = storedValue(thread.config, key);
      if (own !== undefined) {
        value = own;
        sources[key] = 'thread';
      }
    }
    if (value === undefined) continue;
    config[key] = def.capped ? withinCap(key, value as number, global[key] as number) : value;
  }
  return { config: config as BehaviourConfig, sources };
}

/**
 * Resolves the effective config: global defaults, then the user's, then the thread's
 * overrides (the thread taken as a direct chat). See {@link resolveBehaviour}.
 */
export function resolveConfig(
  global: BehaviourConfig,
  user: unknown = {},
  thread: unknown = {},
): BehaviourConfig {
  return resolveBehaviour({
    global,
    user: { config: user },
    thread: { config: thread, isGroup: false },
  }).config;
}
