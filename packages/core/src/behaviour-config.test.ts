import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BEHAVIOUR,
  partialBehaviourConfigSchema,
  resolveBehaviour,
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

describe('resolveBehaviour', () => {
  const global = { ...DEFAULT_BEHAVIOUR, model: 'operator-model', max_tokens: 4000 };

  it('says where each value comes from', () => {
    const { config, sources } = resolveBehaviour({
      global,
      user: { config: { model: 'mine', temperature: 0.3 } },
      thread: { config: { temperature: 0.2 }, isGroup: true },
    });
    expect(config.model).toBe('mine');
    expect(sources.model).toBe('user');
    expect(config.temperature).toBe(0.2);
    expect(sources.temperature).toBe('thread');
    expect(sources.top_p).toBe('global');
  });

  it('caps max_tokens at the operator value whatever a level stores', () => {
    const { config } = resolveBehaviour({
      global,
      user: { config: { max_tokens: 100_000 } },
      thread: { config: {}, isGroup: false },
    });
    expect(config.max_tokens).toBe(4000);
    const lowered = resolveBehaviour({ global, user: { config: { max_tokens: 500 } } });
    expect(lowered.config.max_tokens).toBe(500);
  });

  it('lets no level lift a daily budget the operator set, and 0 cap nothing', () => {
    const limited = { ...global, daily_token_budget: 1000 };
    const thread = (daily_token_budget: number) => ({
      config: { daily_token_budget },
      isGroup: false,
    });
    expect(resolveBehaviour({ global: limited, thread: thread(0) }).config.daily_token_budget).toBe(
      1000,
    );
    expect(
      resolveBehaviour({ global: limited, thread: thread(5000) }).config.daily_token_budget,
    ).toBe(1000);
    expect(
      resolveBehaviour({ global: limited, thread: thread(10) }).config.daily_token_budget,
    ).toBe(10);
    expect(resolveBehaviour({ global, thread: thread(10) }).config.daily_token_budget).toBe(10);
  });

  it("keeps a group's clock and uses the sender's zone in a direct chat", () => {
    const user = { config: {}, timezone: 'Asia/Tokyo' };
    const direct = resolveBehaviour({ global, user, thread: { config: {}, isGroup: false } });
    expect(direct.config.timezone).toBe('Asia/Tokyo');
    const group = resolveBehaviour({ global, user, thread: { config: {}, isGroup: true } });
    expect(group.config.timezone).toBe('UTC');
    const chosen = resolveBehaviour({
      global,
      user: { config: { timezone: 'Europe/Berlin' }, timezone: 'Asia/Tokyo' },
      thread: { config: {}, isGroup: false },
    });
    expect(chosen.config.timezone).toBe('Europe/Berlin');
  });

  it("ignores a person's value for keys only a chat may set", () => {
    const { config, sources } = resolveBehaviour({
      global,
      user: { config: { tools_requiring_approval: [], user_triggers_per_minute: 0 } },
      thread: { config: { tools_requiring_approval: ['bash'] }, isGroup: true },
    });
    expect(config.tools_requiring_approval).toEqual(['bash']);
    expect(config.user_triggers_per_minute).toBe(DEFAULT_BEHAVIOUR.user_triggers_per_minute);
    expect(sources.user_triggers_per_minute).toBe('global');
  });

  it('drops a stored time zone the runtime does not know', () => {
    const { config } = resolveBehaviour({
      global,
      thread: { config: { timezone: 'Mars/Olympus' }, isGroup: false },
    });
    expect(config.timezone).toBe('UTC');
  });
});
