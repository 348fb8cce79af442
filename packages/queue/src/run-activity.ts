import { z } from 'zod';
import type { PubSub } from './pubsub.ts';

/**
 * A live run's heartbeat, published by the worker running it to the gateways of its
 * channel: `working` when it starts and every {@link RUN_HEARTBEAT_MS} after, `done` when it
 * ends. A gateway shows the platform's typing state while heartbeats come, so a run that
 * dies with its worker stops showing within one heartbeat; `until` (the run's timeout) is a
 * ceiling no heartbeat can pass.
 */
export const runActivitySchema = z.object({
  /** `draft`: the reply as the model writes it, so far (`text`); it counts as a heartbeat. */
  state: z.enum(['working', 'draft', 'done']),
  runId: z.number().int().positive(),
  threadId: z.number().int().positive(),
  jid: z.string().min(1),
  /** Epoch ms after which the gateway shows nothing for this run, heartbeats or not. */
  until: z.number().int(),
  /** A draft's text so far (cut to {@link MAX_DRAFT_BYTES}); only with `draft`. */
  text: z.string().max(8_000).optional(),
});
export type RunActivity = z.infer<typeof runActivitySchema>;

/**
 * The most a draft's text takes in one pub/sub message (UTF-8): Postgres' NOTIFY carries
 * at most 8000 bytes, and the final reply, not the draft, carries the rest.
 */
export const MAX_DRAFT_BYTES = 6_000;

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary. */
export function cutToBytes(text: string, maxBytes = MAX_DRAFT_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > maxBytes - 3) end -= 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** How often a live run says it is still working. */
export const RUN_HEARTBEAT_MS = 4_000;

/** The pub/sub channel of one platform's run heartbeats. */
export function runActivityChannel(prefix: string, channel: string): string {
  return `${prefix}:runs:${channel}`;
}

export async function publishRunActivity(
  pubsub: PubSub,
  prefix: string,
  channel: string,
  activity: RunActivity,
): Promise<void> {
  await pubsub.publish(runActivityChannel(prefix, channel), JSON.stringify(activity));
}

/** Receives one platform's run heartbeats until the returned function is called; malformed ones are dropped. */
export function subscribeRunActivity(
  pubsub: PubSub,
  prefix: string,
  channel: string,
  handler: (activity: RunActivity) => void,
): Promise<() => Promise<void>> {
  return pubsub.subscribe(runActivityChannel(prefix, channel), (raw) => {
    let activity: RunActivity;
    try {
      activity = runActivitySchema.parse(JSON.parse(raw));
    } catch {
      return;
    }
    handler(activity);
  });
}
