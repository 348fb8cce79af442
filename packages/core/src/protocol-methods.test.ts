import { describe, expect, it } from 'vitest';
import {
  artifactSaveParamsSchema,
  memoryWriteParamsSchema,
  taskScheduleParamsSchema,
} from './protocol-methods.ts';

describe('agent request params', () => {
  it('refuse inline data for artifacts and need a reference', () => {
    expect(
      artifactSaveParamsSchema.safeParse({ kind: 'image', url: 'data:image/png;base64,AAAA' })
        .success,
    ).toBe(false);
    expect(artifactSaveParamsSchema.safeParse({ kind: 'file' }).success).toBe(false);
    expect(
      artifactSaveParamsSchema.safeParse({ kind: 'file', storageKey: 'threads/1/report.pdf' })
        .success,
    ).toBe(true);
  });

  it('need content to write memory, or an id to remove one', () => {
    expect(memoryWriteParamsSchema.safeParse({}).success).toBe(false);
    expect(memoryWriteParamsSchema.safeParse({ remove: true }).success).toBe(false);
    expect(memoryWriteParamsSchema.safeParse({ id: 3, remove: true }).success).toBe(true);
  });

  it('fill defaults of a task', () => {
    const parsed = taskScheduleParamsSchema.parse({
      prompt: 'p',
      schedule: { kind: 'interval', everyMs: 60_000 },
    });
    expect(parsed).toMatchObject({ contextMode: 'group', misfirePolicy: 'skip' });
  });
});
