import { describe, expect, it } from 'vitest';
import { estimateCost } from './model-prices.ts';

describe('estimateCost', () => {
  it('prices a listed model per million tokens', () => {
    expect(estimateCost('gpt-4o', 1_000_000, 1_000_000)).toBeCloseTo(12.5);
  });

  it('takes the longest listed prefix of a dated or provider-prefixed name', () => {
    expect(estimateCost('gpt-4o-mini-2024-07-18', 1_000_000, 0)).toBeCloseTo(0.15);
    expect(estimateCost('openai/gpt-4o', 0, 1_000_000)).toBeCloseTo(10);
    expect(estimateCost('claude-sonnet-4-20250514', 2_000_000, 0)).toBeCloseTo(6);
  });

  it('gives no estimate for a model it does not know', () => {
    expect(estimateCost('llama3.1:8b', 1000, 1000)).toBeNull();
    expect(estimateCost('gpt-4oo', 1000, 1000)).toBeNull();
  });
});
