import type { Telemetry } from 'bullmq';

/** What a started SDK leaves for the rest of the process (see `startTelemetry`). */
interface StartedTelemetry {
  queues: Telemetry;
  stop: () => Promise<void>;
}

let started: StartedTelemetry | null = null;

/** Called once by `startTelemetry`. */
export function setStartedTelemetry(value: StartedTelemetry): void {
  started = value;
}

/** BullMQ's telemetry for queues and workers, when OpenTelemetry is on; undefined otherwise. */
export function queueTelemetry(): Telemetry | undefined {
  return started?.queues;
}

/** Exports the spans still buffered and stops the SDK; nothing when it never started. */
export async function stopTelemetry(): Promise<void> {
  const current = started;
  started = null;
  await current?.stop();
}
