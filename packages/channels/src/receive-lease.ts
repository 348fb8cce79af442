/**
 * The right to receive one channel account's events, held by one process at a time: a
 * platform that hands events to whoever asks (Telegram's `getUpdates`) answers two askers
 * with conflicts. The others stand by and take over once the holder is gone.
 */
export interface ReceiveLease {
  /** What it is the lease of, for logs: `telegram:123456`. */
  readonly name: string;
  /** Resolves once this process holds it (waiting while another does); null if `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<HeldReceiveLease | null>;
}

export interface HeldReceiveLease {
  /** Aborted when the lease is lost to another process: stop receiving at once. */
  readonly lost: AbortSignal;
  /** Lets it go (after the last events were acknowledged), so a standby takes over now. */
  release(): Promise<void>;
}
