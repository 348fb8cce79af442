import type { AgentExit, AgentProcess } from './agent-runtime.ts';

/** Who is told when an agent exits: the session watching it now, if any. */
export interface ExitRelay {
  onExit: ((exit: AgentExit) => void) | null;
  /** Set once the agent has exited, for a session that starts after it did. */
  exit: AgentExit | null;
}

const exitRelays = new WeakMap<AgentProcess, ExitRelay>();

/**
 * The agent's exit relay, subscribed to `agent.exited` once for the agent's whole life.
 * One subscription per session instead would pile up on a warm agent that serves
 * thousands of runs, each holding its session (a closure's context keeps `this`). Kept
 * outside any class so the handlers' context holds only the relay.
 */
export function exitRelayOf(agent: AgentProcess): ExitRelay {
  const known = exitRelays.get(agent);
  if (known) return known;
  const relay: ExitRelay = { onExit: null, exit: null };
  exitRelays.set(agent, relay);
  const exited = (exit: AgentExit) => {
    relay.exit = exit;
    relay.onExit?.(exit);
  };
  agent.exited.then(exited, () => exited({ code: null, signal: null }));
  return relay;
}
