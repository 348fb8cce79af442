import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import { recordAudit } from './audit-log-repo.ts';

/** Whose overrides change: a thread's (`threads.config`) or a person's defaults (`users.config`). */
export interface ConfigOwner {
  table: 'threads' | 'users';
  id: number;
}

/** One change: set a key, or reset some keys (back to the level below). */
export type ConfigChange = { set: string; value: unknown } | { reset: string[] };

/** The overrides before and after a change. */
export interface ConfigChanged {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Changes stored overrides and writes the audit row in the same transaction (the row names
 * the key, its old and new value, and whose overrides changed). Values are checked by the
 * caller (`readSetting`). Resolves to null when the owner does not exist.
 */
export async function changeConfig(
  db: Kysely<Database>,
  owner: ConfigOwner,
  change: ConfigChange,
  audit: { actor: string; target: string },
): Promise<ConfigChanged | null> {
  return db.transaction().execute(async (trx) => {
    const row = await (owner.table === 'threads'
      ? trx.selectFrom('threads').select('config').where('id', '=', owner.id)
      : trx.selectFrom('users').select('config').where('id', '=', owner.id)
    )
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    const before = { ...(row.config ?? {}) };
    const after: Record<string, unknown> = { ...before };
    if ('set' in change) after[change.set] = change.value;
    else for (const key of change.reset) delete after[key];
    const config = JSON.stringify(after);
    if (owner.table === 'threads') {
      await trx.updateTable('threads').set({ config }).where('id', '=', owner.id).execute();
    } else {
      await trx.updateTable('users').set({ config }).where('id', '=', owner.id).execute();
    }
    const level = owner.table === 'threads' ? 'config' : 'defaults';
    const keys = 'set' in change ? [change.set] : change.reset;
    await recordAudit(trx, {
      actor: audit.actor,
      action: `${level}.${'set' in change ? 'set' : 'reset'}`,
      target: audit.target,
      details: Object.fromEntries(
        keys.map((key) => [key, { from: before[key] ?? null, to: after[key] ?? null }]),
      ),
    });
    return { before, after };
  });
}
