import { z } from 'zod';

/**
 * The trace of the message that asked for the job (W3C `traceparent`/`tracestate`), when
 * OpenTelemetry is on; absent otherwise and in jobs of older versions.
 */
const traceSchema = z.record(z.string(), z.string()).optional();

/** Drain a thread: run the agent over its messages past the cursor. */
export const drainJobSchema = z.object({
  threadId: z.number().int().positive(),
  trace: traceSchema,
});
export type DrainJob = z.infer<typeof drainJobSchema>;

/** One reply to send; `threadId` keeps a chat's replies in order at egress (absent in jobs of older versions). */
export const outboundJobSchema = z.object({
  outboxId: z.number().int().positive(),
  threadId: z.number().int().positive().optional(),
  trace: traceSchema,
});
export type OutboundJob = z.infer<typeof outboundJobSchema>;

/** Attempts of a drain job before the thread is told it failed. */
export const DRAIN_ATTEMPTS = 3;
/** Attempts of an outbound job (rate limits do not count). */
export const OUTBOUND_ATTEMPTS = 8;

/**
 * Settings of every GridBot queue consumer. A consumer renews its job's lock at half the
 * lock's duration; when its process dies, the job is handed back after the lock expires
 * and two stall checks (about 10–14 s). A job may stall more than once under repeated
 * crashes; the thread lease keeps its runs apart, so it is handed back, not failed.
 * `runRetryDelay`: after Redis was unreachable, BullMQ waits this long before it fetches
 * again (15 s by default, which alone kept threads silent that long after a Redis restart).
 */
export const CONSUMER_SETTINGS = {
  lockDuration: 10_000,
  stalledInterval: 2_000,
  maxStalledCount: 5,
  runRetryDelay: 1_000,
} as const;
