import { z } from 'zod';

/** The levels a behaviour setting can come from, lowest first. */
export type ConfigSource = 'global' | 'user' | 'thread';

/** How a key's value is typed in chat (`/config set <key> <value>`) and shown in a form. */
export type ConfigKeyKind = 'number' | 'integer' | 'choice' | 'text' | 'timezone' | 'list' | 'json';

/**
 * One behaviour setting: its check, what it means, and where it may be set. The table below
 * is the one place validation, `/config help` and the dashboard's form come from.
 */
export interface ConfigKeyDef<S extends z.ZodType = z.ZodType> {
  schema: S;
  kind: ConfigKeyKind;
  /** One line: what the setting does. */
  description: string;
  /** The allowed values in words, for messages and forms, e.g. "a number from 0 to 2". */
  range: string;
  /** The levels above the global one that may override it (users, threads). */
  levels: readonly ('user' | 'thread')[];
  /** Whether chat commands and the dashboard's form may change it (false: operator only). */
  settable: boolean;
  /**
   * The operator's (global) value is a ceiling: an override may only lower it; a higher one
   * is refused when set and cut down to the ceiling when resolved.
   */
  capped?: boolean;
  /** For `choice` keys. */
  choices?: readonly string[];
  /** For number keys: the bounds, also used by the form. */
  min?: number;
  max?: number;
}

const BOTH = ['user', 'thread'] as const;

/** A number key; `integer` ones take whole numbers only. */
function boundedKey(
  kind: 'number' | 'integer',
  description: string,
  min: number,
  max: number,
  extra: Omit<Partial<ConfigKeyDef>, 'schema'>,
): ConfigKeyDef<z.ZodNumber> {
  const number = kind === 'integer' ? z.number().int() : z.number();
  return {
    schema: number.min(min).max(max),
    kind,
    description,
    range: `${kind === 'integer' ? 'a whole number' : 'a number'} from ${min} to ${max}`,
    levels: BOTH,
    settable: true,
    min,
    max,
    ...extra,
  };
}

function numberKey(
  description: string,
  min: number,
  max: number,
  extra: Omit<Partial<ConfigKeyDef>, 'schema'> = {},
): ConfigKeyDef<z.ZodNumber> {
  return boundedKey('number', description, min, max, extra);
}

function integerKey(
  description: string,
  min: number,
  max: number,
  extra: Omit<Partial<ConfigKeyDef>, 'schema'> = {},
): ConfigKeyDef<z.ZodNumber> {
  return boundedKey('integer', description, min, max, extra);
}

function choiceKey<const T extends readonly [string, ...string[]]>(
  description: string,
  choices: T,
): ConfigKeyDef<z.ZodEnum<{ [K in T[number]]: K }>> {
  return {
    schema: z.enum(choices),
    kind: 'choice',
    description,
    range: `one of ${choices.join(', ')}`,
    levels: BOTH,
    settable: true,
    choices,
  };
}

/** Whether the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const sandboxSchema = z
  .object({
    memory_mb: z.number().int().min(32),
    cpus: z.number().min(0.1),
    pids: z.number().int().min(16),
    timeout_ms: z.number().int().min(1_000),
  })
  .partial()
  .strict();

const mountsSchema = z
  .array(
    z.object({
      hostPath: z.string().min(1),
      /** Relative name under `/workspace/extra/`; defaults to the host directory's name. */
      containerPath: z.string().min(1).optional(),
      readOnly: z.boolean().default(true),
    }),
  )
  .max(16);

/**
 * Every behaviour setting, resolved global → user → thread. The global level (the
 * operator's environment) supplies all of them.
 */
export const CONFIG_KEYS = {
  model: {
    schema: z.string().trim().min(1).max(200),
    kind: 'text',
    description: "the model the provider is asked for (the operator's provider answers)",
    range: 'a model name of at most 200 characters, e.g. gpt-4o-mini',
    levels: BOTH,
    settable: true,
  } satisfies ConfigKeyDef<z.ZodString>,
  temperature: numberKey('sampling temperature: lower is more focused, higher more varied', 0, 2),
  top_p: numberKey('nucleus sampling: the share of probability mass the model samples from', 0, 1),
  reasoning_effort: choiceKey('how hard reasoning models think before answering', [
    'none',
    'low',
    'medium',
    'high',
  ]),
  verbosity: choiceKey('how long answers should be', ['low', 'medium', 'high']),
  max_tokens: integerKey(
    "most tokens one model answer may have (the operator's value is the ceiling)",
    1,
    200_000,
    { capped: true },
  ),
  timezone: {
    schema: z.string().min(1).max(64).refine(isTimeZone, 'not a known IANA time zone'),
    kind: 'timezone',
    description: "the agent's clock: the sender's zone in a direct chat, the chat's own in a group",
    range: 'an IANA time zone such as Europe/Berlin or America/New_York',
    levels: BOTH,
    settable: true,
  } satisfies ConfigKeyDef<z.ZodString>,
  history_limit: integerKey('earlier messages the agent sees besides the new ones', 0, 500),
  /** Model calls one run may make (the agent's tool loop stops there with a message). */
  max_steps: integerKey('most model calls one run may make', 1, 100),
  daily_token_budget: integerKey(
    "tokens this chat may use per day, 0 = no limit (the operator's budget is the ceiling)",
    0,
    1_000_000_000,
    { capped: true, range: 'a whole number from 0 (no limit) to 1000000000' },
  ),
  tools_requiring_approval: {
    schema: z.array(z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/)).max(64),
    kind: 'list',
    description: 'tools the agent must ask a person to approve before using',
    range: 'tool names separated by commas, e.g. bash,write_file (none: an empty list)',
    // A person's own defaults must not loosen what a chat's admins asked for.
    levels: ['thread'],
    settable: true,
  } satisfies ConfigKeyDef<z.ZodArray<z.ZodString>>,
  image_detail: choiceKey('how closely images are looked at (more detail costs more tokens)', [
    'auto',
    'low',
    'high',
  ]),
  language: {
    schema: z
      .string()
      .trim()
      .max(40)
      .regex(/^[\p{L}\p{M} ()-]*$/u),
    kind: 'text',
    description: 'the language replies are written in (empty: the language you write in)',
    range: 'a language name or code of at most 40 letters, e.g. German or de',
    levels: BOTH,
    settable: true,
  } satisfies ConfigKeyDef<z.ZodString>,
  /**
   * Messages addressing the assistant one person may send in this thread per minute that
   * start runs; the rest are kept as context. 0: no limit.
   */
  user_triggers_per_minute: integerKey(
    'messages one person may send per minute that start runs here, 0 = no limit',
    0,
    10_000,
    // Nobody lifts their own rate limit.
    { levels: ['thread'] },
  ),
  /** Narrower limits for this thread's agent; the operator's limits always cap them. */
  sandbox: {
    schema: sandboxSchema,
    kind: 'json',
    description: "narrower limits for this chat's agent (memory_mb, cpus, pids, timeout_ms)",
    range: 'set by the operator only',
    levels: ['thread'],
    settable: false,
  } satisfies ConfigKeyDef<typeof sandboxSchema>,
  /** Host directories to mount into the thread's agent; each must pass the mount allowlist. */
  additional_mounts: {
    schema: mountsSchema,
    kind: 'json',
    description: "host directories mounted into this chat's agent (each passes the allowlist)",
    range: 'set by the operator only',
    levels: ['thread'],
    settable: false,
  } satisfies ConfigKeyDef<typeof mountsSchema>,
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Every key, in the table's order. */
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];

/** The keys chat commands and the dashboard may change. */
export const SETTABLE_KEYS = CONFIG_KEY_NAMES.filter((key) => CONFIG_KEYS[key].settable);

/** Whether `key` may be overridden at `level` (and changed there, if it is settable). */
export function allowsLevel(key: ConfigKey, level: 'user' | 'thread'): boolean {
  return (CONFIG_KEYS[key] as ConfigKeyDef).levels.includes(level);
}

/** Whether `name` is a key of the table. */
export function isConfigKey(name: string): name is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, name);
}
