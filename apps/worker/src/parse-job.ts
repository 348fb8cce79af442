import { type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';

/** A job's payload, checked: no retry can make a malformed one valid, so it fails at once. */
export function parseJob<T>(schema: z.ZodType<T>, job: Job, kind: string): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(
      `malformed ${kind} job ${job.id ?? ''}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
