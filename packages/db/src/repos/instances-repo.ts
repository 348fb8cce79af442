import type { Kysely } from 'kysely';
import type { Database, Instance, PublishedBehaviour } from '../database.ts';

export interface InstanceInput {
  id: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  gitSha: string | null;
  /** A worker's agents (see `InstancesTable.agent_runtime`); null for other roles. */
  agentRuntime?: 'docker' | 'process' | null;
  /** A worker's global behaviour settings; null for other roles. */
  behaviour?: PublishedBehaviour | null;
}

/** Registers this process in the fleet. */
export async function registerInstance(db: Kysely<Database>, input: InstanceInput): Promise<void> {
  const now = new Date();
  await db
    .insertInto('instances')
    .values({
      id: input.id,
      role: input.role,
      host: input.host,
      pid: input.pid,
      version: input.version,
      git_sha: input.gitSha,
      started_at: now,
      heartbeat_at: now,
      status: 'up',
      agent_runtime: input.agentRuntime ?? null,
      behaviour: input.behaviour ? JSON.stringify(input.behaviour) : null,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        heartbeat_at: now,
        status: 'up',
        agent_runtime: input.agentRuntime ?? null,
        behaviour: input.behaviour ? JSON.stringify(input.behaviour) : null,
      }),
    )
    .execute();
}

export async function setInstanceStatus(
  db: Kysely<Database>,
  id: string,
  status: Instance['status'],
): Promise<void> {
  await db
    .updateTable('instances')
    .set({ status, heartbeat_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function listInstances(db: Kysely<Database>): Promise<Instance[]> {
  return db.selectFrom('instances').selectAll().orderBy('started_at').execute();
}

/** Workers (rows with an agent runtime) up, whose heartbeat is newer than `since`. */
export async function listUpWorkers(db: Kysely<Database>, since: Date): Promise<Instance[]> {
  return db
    .selectFrom('instances')
    .selectAll()
    .where('status', '=', 'up')
    .where('agent_runtime', 'is not', null)
    .where('heartbeat_at', '>', since)
    .orderBy('started_at')
    .execute();
}

/**
 * The global behaviour settings of the freshest worker up (heartbeat newer than `since`),
 * with its provider and agent runtime; null when no worker is up or none published them.
 */
export async function publishedBehaviour(
  db: Kysely<Database>,
  since: Date,
): Promise<(PublishedBehaviour & { agentRuntime: Instance['agent_runtime'] }) | null> {
  const row = await db
    .selectFrom('instances')
    .select(['behaviour', 'agent_runtime'])
    .where('status', '=', 'up')
    .where('behaviour', 'is not', null)
    .where('heartbeat_at', '>', since)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.behaviour ? { ...row.behaviour, agentRuntime: row.agent_runtime } : null;
}
