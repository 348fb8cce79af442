import { SchemaOutdatedError } from '@gridbot/core';
import type { Kysely } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import * as initial from './migrations/0001-initial.ts';
import * as approvalDelivery from './migrations/0002-approval-delivery.ts';
import * as budgetNotice from './migrations/0003-budget-notice.ts';
import * as pairing from './migrations/0004-pairing.ts';
import * as recoveryIndexes from './migrations/0005-recovery-indexes.ts';
import * as deadLetters from './migrations/0006-dead-letters.ts';
import * as instanceAgentRuntime from './migrations/0007-instance-agent-runtime.ts';
import * as approvalRequester from './migrations/0008-approval-requester.ts';
import * as dashboardSessions from './migrations/0009-dashboard-sessions.ts';
import * as historyResetAndSearch from './migrations/0010-history-reset-and-search.ts';
import * as instanceBehaviour from './migrations/0011-instance-behaviour.ts';
import * as taskOwner from './migrations/0012-task-owner.ts';
import * as deliveryStatus from './migrations/0013-delivery-status.ts';
import * as threadUnregistered from './migrations/0014-thread-unregistered.ts';
import * as channelLeases from './migrations/0015-channel-leases.ts';

/** Every migration, in order. Names sort lexically; never rename one that has shipped. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-approval-delivery': approvalDelivery,
  '0003-budget-notice': budgetNotice,
  '0004-pairing': pairing,
  '0005-recovery-indexes': recoveryIndexes,
  '0006-dead-letters': deadLetters,
  '0007-instance-agent-runtime': instanceAgentRuntime,
  '0008-approval-requester': approvalRequester,
  '0009-dashboard-sessions': dashboardSessions,
  '0010-history-reset-and-search': historyResetAndSearch,
  '0011-instance-behaviour': instanceBehaviour,
  '0012-task-owner': taskOwner,
  '0013-delivery-status': deliveryStatus,
  '0014-thread-unregistered': threadUnregistered,
  '0015-channel-leases': channelLeases,
};

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => MIGRATIONS },
  });
}

/** Applies every pending migration; returns the names applied. Safe to run concurrently (Kysely takes a lock). */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations not yet applied to this database. */
export async function pendingMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const infos = await migrator(db).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Refuses to run on an outdated schema: throws {@link SchemaOutdatedError} naming `gridbot migrate`. */
export async function assertSchemaCurrent<DB>(db: Kysely<DB>): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length > 0) throw new SchemaOutdatedError(pending);
}
