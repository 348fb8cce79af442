import { describe, expect, it } from 'vitest';
import { threadLimits } from './thread-limits.ts';

const operator = {
  memoryBytes: 512 * 1024 * 1024,
  cpus: 1,
  pids: 256,
  outputBytes: 16 * 1024 * 1024,
  tmpBytes: 64 * 1024 * 1024,
  timeoutMs: 60_000,
};

describe('threadLimits', () => {
  it('lets a thread tighten its sandbox', () => {
    expect(
      threadLimits(operator, { memory_mb: 128, pids: 64, timeout_ms: 5_000, cpus: 0.5 }),
    ).toEqual({
      ...operator,
      memoryBytes: 128 * 1024 * 1024,
      pids: 64,
      timeoutMs: 5_000,
      cpus: 0.5,
    });
  });

  it('never lets a thread exceed the operator', () => {
    expect(
      threadLimits(operator, { memory_mb: 4096, cpus: 8, pids: 10_000, timeout_ms: 3_600_000 }),
    ).toEqual(operator);
    expect(threadLimits(operator, {})).toEqual(operator);
  });
});
