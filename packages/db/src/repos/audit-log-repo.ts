import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';

export interface AuditEntry {
  /** Who acted: `dashboard`, `cli`, or a chat user as `<channel>:<user id> (<name>)`. */
  actor: string;
  /** What was done, e.g. `approval.approved`, `pairing.approved`, `thread.registered`. */
  action: string;
  /** What it was done to, e.g. `approval:12`, `thread:telegram:-100…`. */
  target: string;
  details?: Record<string, unknown>;
  at?: Date;
}

/** Records an admin action; pass a transaction to commit the row with the change itself. */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details ?? {}),
      ...(entry.at && { created_at: entry.at }),
    })
    .execute();
}
