import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BEHAVIOUR,
  partialBehaviourConfigSchema,
  resolveConfig,
} from './behaviour-config.ts';

describe('resolveConfig', () => {
  it('applies global, then user, then thread', () => {
    const config = resolveConfig(
      DEFAULT_BEHAVIOUR,
      { model: 'user-model', timezone: 'Europe/Berlin' },
      { model: 'thread-model' },
    );
    expect(config.model).toBe('thread-model');
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.temperature).toBe(DEFAULT_BEHAVIOUR.temperature);
  });

  it('ignores invalid stored values and unknown keys', () => {
    const config = resolveConfig(DEFAULT_BEHAVIOUR, { temperature: 'hot', bogus: 1 }, null);
    expect(config.temperature).toBe(DEFAULT_BEHAVIOUR.temperature);
    expect(config).not.toHaveProperty('bogus');
  });

  it('rejects unknown keys when an override is set', () => {
    expect(partialBehaviourConfigSchema.safeParse({ modle: 'x' }).success).toBe(false);
  });
});
