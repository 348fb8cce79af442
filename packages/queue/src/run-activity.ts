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
  state: z.enum(['working', 'done']),
  runId: z.number().int().positive(),
  threadId: z.number().int().positive(),
  jid: z.string().min(1),
  /** Epoch ms after which the gateway shows nothing for this run, heartbeats or not. */
  until: z.number().int(),
});
export type RunActivity = z.infer<typeof runActivitySchema>;

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
