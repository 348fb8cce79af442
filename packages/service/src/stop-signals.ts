type Handler = (signal: NodeJS.Signals) => void;

let handler: Handler | null = null;
let listening = false;

/**
 * Takes SIGTERM and SIGINT from the very start of a role process, before anything is
 * built: until a role takes over with {@link onStopSignal}, a signal exits the process at
 * once (nothing has started that needs stopping). Call once, first thing in `main`.
 */
export function listenForStopSignals(exit: (code: number) => void = process.exit): void {
  if (listening) return;
  listening = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, (received: NodeJS.Signals) => {
      if (handler) handler(received);
      else exit(received === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Routes stop signals to `next` from now on (the role's graceful shutdown). */
export function onStopSignal(next: Handler): void {
  handler = next;
}
