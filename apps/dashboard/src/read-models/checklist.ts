import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '@gridbot/db';
import type { Kysely } from 'kysely';
import type { FleetMember } from './overview.ts';

/** One line of the overview's first-run checklist: is it there, and what it says. */
export interface ChecklistItem {
  item: string;
  ok: boolean;
  detail: string;
}

/**
 * What an operator wants to know first: which channels run, which model answers, how
 * agents are run, the mode, and the last backup — each with what to do when it is missing.
 */
export async function firstRunChecklist(
  db: Kysely<Database>,
  fleet: FleetMember[],
  options: { mode: string; dataDir: string | null },
): Promise<ChecklistItem[]> {
  const up = fleet.filter((m) => m.status === 'up');
  const gateways = up
    .map((m) => /^gateway-(.+)$/.exec(m.role)?.[1])
    .filter((c): c is string => c !== undefined);
  const all = up.some((m) => m.role === 'all');
  const workers = up.filter((m) => m.role === 'worker' || m.role === 'all');
  const providers = await db
    .selectFrom('instances')
    .select('behaviour')
    .where('status', '=', 'up')
    .where('behaviour', 'is not', null)
    .execute();
  const provider = providers.map((p) => p.behaviour?.provider).find(Boolean) ?? null;
  const lastCall = await db
    .selectFrom('token_ledger')
    .select(['provider', 'created_at'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const items: ChecklistItem[] = [
    {
      item: 'Channels',
      ok: gateways.length > 0 || all,
      detail:
        gateways.length > 0
          ? `gateways running: ${[...new Set(gateways)].join(', ')}; the web chat always`
          : all
            ? 'gridbot start runs a gateway for each channel whose credentials are set, and the web chat'
            : 'only the web chat: start a gateway (gridbot gateway --channel telegram) once its token is set',
    },
    {
      item: 'Model',
      ok: provider !== null && provider !== 'echo',
      detail:
        provider === null
          ? 'no worker runs: start one (gridbot worker)'
          : provider === 'echo'
            ? 'offline, answers by repeating what it was told: set ANTHROPIC_API_KEY or OPENAI_API_KEY'
            : `${provider}${lastCall ? `, last answered ${lastCall.created_at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ', no call yet'}`,
    },
    {
      item: 'Agents',
      ok: workers.length > 0 && workers.every((w) => w.agentRuntime !== 'process'),
      detail:
        workers.length === 0
          ? 'no worker runs'
          : workers.some((w) => w.agentRuntime === 'process')
            ? 'as plain processes, not isolated: start Docker and restart the workers'
            : 'in Docker containers',
    },
    { item: 'Mode', ok: true, detail: options.mode },
    await lastBackup(options.dataDir),
  ];
  return items;
}

async function lastBackup(dataDir: string | null): Promise<ChecklistItem> {
  const none = 'none yet: the scheduler makes one a day (it needs pg_dump), or run gridbot backup';
  if (dataDir === null) return { item: 'Backups', ok: false, detail: none };
  const dir = join(dataDir, 'backups');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.dump'));
  if (files.length === 0) return { item: 'Backups', ok: false, detail: `${none} (${dir})` };
  const newest = files.sort().at(-1)!;
  const info = await stat(join(dir, newest));
  return {
    item: 'Backups',
    ok: Date.now() - info.mtimeMs < 2 * 86_400_000,
    detail: `last ${newest} (${(info.size / 1024 / 1024).toFixed(1)} MB) in ${dir}`,
  };
}
