import type { BehaviourConfig } from './behaviour-config.ts';
import {
  allowsLevel,
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeyDef,
  isConfigKey,
  SETTABLE_KEYS,
} from './config-keys.ts';

/** A setting read from what someone typed or sent: the value to store, or why not. */
export type SettingResult =
  | { ok: true; key: ConfigKey; value: unknown }
  | { ok: false; error: string };

/** Where a setting is being changed. */
export type SettingLevel = 'user' | 'thread';

/** The message for a key that does not exist or may not be changed. */
export function unknownKeyMessage(name: string, level: SettingLevel): string {
  const keys = SETTABLE_KEYS.filter((key) => allowsLevel(key, level));
  if (isConfigKey(name) && !CONFIG_KEYS[name].settable) {
    return `${name} is set by the operator only. Keys you can set: ${keys.join(', ')}.`;
  }
  if (isConfigKey(name)) {
    const where = level === 'user' ? 'per person (/defaults)' : 'per chat (/config)';
    const other = level === 'user' ? '/config' : '/defaults';
    return `${name} cannot be set ${where}; use ${other}. Keys you can set here: ${keys.join(', ')}.`;
  }
  return `Unknown key "${name}". Keys you can set: ${keys.join(', ')}.`;
}

/** A typed value (`"0.2"`, `"bash, write_file"`) as the key's type, before its check. */
function typed(def: ConfigKeyDef, text: string): unknown {
  const trimmed = text.trim();
  switch (def.kind) {
    case 'number':
    case 'integer':
      return trimmed === '' || !/^-?\d+(\.\d+)?$/.test(trimmed) ? Number.NaN : Number(trimmed);
    case 'choice':
      return trimmed.toLowerCase();
    case 'list':
      return /^(none|-)$/i.test(trimmed)
        ? []
        : trimmed
            .split(/[\s,]+/)
            .filter(Boolean)
            .map((item) => item.toLowerCase());
    default:
      return trimmed;
  }
}

/**
 * Reads a setting for `level`: the key must exist, be settable there, and the value must be
 * of its type and range, and (capped keys) not above the operator's value in `global`. Typed
 * text (chat) is converted to the key's type; JSON values (the dashboard) are checked as they are.
 */
export function readSetting(
  name: string,
  raw: unknown,
  level: SettingLevel,
  global: BehaviourConfig,
): SettingResult {
  const key = name.trim().toLowerCase();
  if (!isConfigKey(key) || !CONFIG_KEYS[key].settable || !allowsLevel(key, level)) {
    return { ok: false, error: unknownKeyMessage(key, level) };
  }
  const def = CONFIG_KEYS[key] as ConfigKeyDef;
  const candidate = typeof raw === 'string' ? typed(def, raw) : raw;
  const parsed = def.schema.safeParse(candidate);
  const shown = typeof raw === 'string' ? raw.trim() : JSON.stringify(raw);
  if (!parsed.success) return { ok: false, error: `${key} must be ${def.range}, not "${shown}".` };
  if (def.capped) {
    const ceiling = global[key] as number;
    const value = parsed.data as number;
    if (
      key === 'daily_token_budget'
        ? ceiling > 0 && (value === 0 || value > ceiling)
        : value > ceiling
    ) {
      return {
        ok: false,
        error: `${key} can only be lowered here: at most ${ceiling} (the operator's limit)${key === 'daily_token_budget' ? ', and not 0' : ''}, not "${shown}".`,
      };
    }
  }
  return { ok: true, key, value: parsed.data };
}

/** `/config help`: one line per key that may be set at `level`, with its range. */
export function describeKeys(level: SettingLevel): string[] {
  return SETTABLE_KEYS.filter((key) => allowsLevel(key, level)).map((key) => {
    const def = CONFIG_KEYS[key];
    return `${key}: ${def.description} (${def.range})`;
  });
}

/** A value as chat shows it: lists with commas, empty text as "(none)". */
export function formatSetting(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (value === '') return '(none)';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
