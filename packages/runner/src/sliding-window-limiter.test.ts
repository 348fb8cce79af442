import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './sliding-window-limiter.ts';

describe('SlidingWindowLimiter', () => {
  it('allows max events per window and frees slots as they age out', () => {
    let now = 1_000;
    const limiter = new SlidingWindowLimiter({ max: 2, windowMs: 100, now: () => now });
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, false]);
    now += 99;
    expect(limiter.tryTake()).toBe(false);
    now += 1;
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, false]);
  });
});
