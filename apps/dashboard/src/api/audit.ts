import { type Database, recordAudit } from '@gridbot/db';
import type { Kysely } from 'kysely';

/** Who the audit log names for every change made in the dashboard. */
export const DASHBOARD_ACTOR = 'dashboard';

/**
 * Records an admin action taken in the dashboard, e.g. `thread.registered` on
 * `thread:telegram:-100…`. Pass a transaction to commit the row with the change itself.
 */
export async function auditAction(
  db: Kysely<Database>,
  action: string,
  target: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(db, { actor: DASHBOARD_ACTOR, action, target, details });
}
