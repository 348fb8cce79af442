import type { Kysely } from 'kysely';
import type { Database, Instance } from '../database.ts';

export interface InstanceInput {
  id: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  gitSha: string | null;
  /** A worker's agents (see `InstancesTable.agent_runtime`); null for other roles. */
  agentRuntime?: 'docker' | 'process' | null;
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
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        heartbeat_at: now,
        status: 'up',
        agent_runtime: input.agentRuntime ?? null,
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
