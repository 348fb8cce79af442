import { describe, expect, it } from 'vitest';
import { behaviourConfigSchema, DEFAULT_BEHAVIOUR } from './behaviour-config.ts';
import { CONFIG_KEY_NAMES, CONFIG_KEYS, SETTABLE_KEYS } from './config-keys.ts';
import { describeKeys, readSetting } from './config-setting.ts';

const global = { ...DEFAULT_BEHAVIOUR, max_tokens: 4000, daily_token_budget: 50_000 };

describe('the config key table', () => {
  it('describes every key, and the built-in defaults pass their own checks', () => {
    for (const key of CONFIG_KEY_NAMES) {
      expect(CONFIG_KEYS[key].description.length).toBeGreaterThan(10);
      expect(CONFIG_KEYS[key].range.length).toBeGreaterThan(3);
    }
    expect(behaviourConfigSchema.parse(DEFAULT_BEHAVIOUR)).toEqual(DEFAULT_BEHAVIOUR);
  });

  it('keeps the sandbox and extra mounts away from chat', () => {
    expect(SETTABLE_KEYS).not.toContain('sandbox');
    expect(SETTABLE_KEYS).not.toContain('additional_mounts');
    expect(readSetting('sandbox', '{}', 'thread', global)).toMatchObject({
      ok: false,
      error: expect.stringContaining('operator only'),
    });
  });

  it('gives one help line per key settable at the level, with its range', () => {
    const lines = describeKeys('thread');
    expect(lines.find((l) => l.startsWith('temperature:'))).toContain('from 0 to 2');
    expect(lines.some((l) => l.startsWith('sandbox'))).toBe(false);
    expect(describeKeys('user').some((l) => l.startsWith('tools_requiring_approval'))).toBe(false);
  });
});

describe('readSetting', () => {
  it('reads typed values as their type', () => {
    expect(readSetting('temperature', '0.2', 'thread', global)).toEqual({
      ok: true,
      key: 'temperature',
      value: 0.2,
    });
    expect(readSetting('TOOLS_REQUIRING_APPROVAL', 'bash, write_file', 'thread', global)).toEqual({
      ok: true,
      key: 'tools_requiring_approval',
      value: ['bash', 'write_file'],
    });
    expect(readSetting('tools_requiring_approval', 'none', 'thread', global)).toMatchObject({
      value: [],
    });
    expect(readSetting('reasoning_effort', 'High', 'user', global)).toMatchObject({
      value: 'high',
    });
    expect(readSetting('timezone', 'Europe/Berlin', 'user', global)).toMatchObject({ ok: true });
  });

  it('names the range of a bad value', () => {
    expect(readSetting('temperature', 'hot', 'thread', global)).toEqual({
      ok: false,
      error: 'temperature must be a number from 0 to 2, not "hot".',
    });
    expect(readSetting('temperature', '3', 'thread', global)).toMatchObject({ ok: false });
    expect(readSetting('max_steps', '2.5', 'thread', global)).toMatchObject({ ok: false });
    expect(readSetting('timezone', 'Mars/Olympus', 'user', global)).toMatchObject({
      error: expect.stringContaining('IANA time zone'),
    });
    expect(readSetting('verbosity', 'loud', 'user', global)).toMatchObject({
      error: expect.stringContaining('one of low, medium, high'),
    });
  });

  it('names the keys that exist when one does not', () => {
    const result = readSetting('temprature', '1', 'thread', global);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('Unknown key "temprature"');
    expect(!result.ok && result.error).toContain('temperature, top_p');
  });

  it('refuses a key where its level does not allow it', () => {
    expect(readSetting('user_triggers_per_minute', '0', 'user', global)).toMatchObject({
      error: expect.stringContaining('use /config'),
    });
  });

  it('only lets capped keys go down', () => {
    expect(readSetting('max_tokens', '8000', 'thread', global)).toMatchObject({
      error: expect.stringContaining("at most 4000 (the operator's limit)"),
    });
    expect(readSetting('max_tokens', '1000', 'user', global)).toMatchObject({ value: 1000 });
    expect(readSetting('daily_token_budget', '0', 'thread', global)).toMatchObject({ ok: false });
    expect(readSetting('daily_token_budget', '100', 'thread', global)).toMatchObject({
      value: 100,
    });
    const unlimited = { ...global, daily_token_budget: 0 };
    expect(readSetting('daily_token_budget', '5000000', 'thread', unlimited)).toMatchObject({
      ok: true,
    });
  });
});
