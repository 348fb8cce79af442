import {
  type BehaviourConfig,
  DEFAULT_BEHAVIOUR,
  type ResolvedBehaviour,
  resolveBehaviour,
  withValidKeys,
} from '@gridbot/core';
import type { Kysely } from 'kysely';
import type { Database, Instance, Thread, User } from '../database.ts';
import { publishedBehaviour } from './instances-repo.ts';
import { userLevel } from './users-repo.ts';

/** A worker counts as up while its heartbeat is at most this old. */
const FRESH_MS = 60_000;

/** The global level as the workers run it, for processes that are not workers. */
export interface GlobalBehaviour {
  config: BehaviourConfig;
  /** The workers' model provider; null when no worker is up. */
  provider: string | null;
  agentRuntime: Instance['agent_runtime'];
  /** False when no worker is up: `config` is then the built-in defaults. */
  fromWorkers: boolean;
}

/**
 * The global settings of the freshest worker up (what runs start from), each valid key over
 * the built-in defaults, with `own` on top: the settings the calling process owns itself
 * (a gateway's `USER_TRIGGERS_PER_MINUTE`).
 */
export async function globalBehaviour(
  db: Kysely<Database>,
  own: Partial<BehaviourConfig> = {},
): Promise<GlobalBehaviour> {
  const published = await publishedBehaviour(db, new Date(Date.now() - FRESH_MS));
  return {
    config: { ...withValidKeys(DEFAULT_BEHAVIOUR, published?.config), ...own },
    provider: published?.provider ?? null,
    agentRuntime: published?.agentRuntime ?? null,
    fromWorkers: published !== null,
  };
}

/**
 * The effective settings in `thread` for a run `user` starts: {@link resolveBehaviour} over
 * the given global level, with where each value comes from.
 */
export function effectiveBehaviour(
  global: BehaviourConfig,
  thread: Thread,
  user: User | null | undefined,
): ResolvedBehaviour {
  return resolveBehaviour({
    global,
    user: userLevel(user),
    thread: { config: thread.config, isGroup: thread.is_group },
  });
}
