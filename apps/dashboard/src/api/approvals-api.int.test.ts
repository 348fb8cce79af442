import { THREADS_QUEUE } from '@gridbot/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalView } from '../read-models/approvals.ts';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;

/** A JSON answer, typed as the test expects it. */
async function read<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
let threadId: number;
let live: number;
let second: number;
let lapsed: number;
let decided: number;

const post = (path: string) => t.post(path);

async function approvalRow(id: number) {
  return t.database.db
    .selectFrom('approvals')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Thread ids of the drain jobs waiting in the threads queue. */
async function drainsRequested(): Promise<number[]> {
  const jobs = await t.runtime.queues
    .queue(THREADS_QUEUE)
    .getJobs(['waiting', 'prioritized', 'delayed', 'active']);
  return jobs.map((job) => (job.data as { threadId: number }).threadId);
}

beforeAll(async () => {
  t = await openTestDashboard();
  const { db } = t.database;
  threadId = await t.seedThread('telegram:-100900', { title: 'Infra' });
  const runId = (
    await db
      .insertInto('agent_runs')
      .values({
        thread_id: threadId,
        trigger: 'message',
        status: 'awaiting_approval',
        worker: 'w1',
        attempt: 1,
        lease_token: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const approval = async (
    tool: string,
    expiresInMs: number,
    extra: { status?: 'approved'; resolved_by?: string } = {},
  ) =>
    (
      await db
        .insertInto('approvals')
        .values({
          thread_id: threadId,
          run_id: runId,
          proposal: JSON.stringify({ tool, args: { host: 'db-1' } }),
          expires_at: new Date(Date.now() + expiresInMs),
          ...extra,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  decided = await approval('restart_service', 3600_000, { status: 'approved', resolved_by: 'cli' });
  lapsed = await approval('drop_table', -60_000);
  live = await approval('reboot_host', 3600_000);
  second = await approval('rotate_keys', 3600_000);
});

afterAll(async () => {
  await t?.close();
});

describe('approvals API', () => {
  it('lists the approvals that can still be decided, or all of them with their status now', async () => {
    const pending = await read<{ approvals: ApprovalView[] }>(await t.api('/api/approvals'));
    expect(pending.approvals.map((a) => a.id)).toEqual([second, live]);
    expect(pending.approvals[1]).toMatchObject({
      jid: 'telegram:-100900',
      threadTitle: 'Infra',
      proposal: { tool: 'reboot_host', args: { host: 'db-1' } },
      status: 'pending',
    });
    const all = await read<{ approvals: ApprovalView[] }>(await t.api('/api/approvals?status=all'));
    expect(all.approvals.map((a) => [a.id, a.status])).toEqual([
      [second, 'pending'],
      [live, 'pending'],
      [lapsed, 'expired'],
      [decided, 'approved'],
    ]);
    expect((await t.api('/api/approvals?status=open')).status).toBe(400);
  });

  it('approves: the row is decided by the dashboard, audited, and a run of the thread requested', async () => {
    expect(await drainsRequested()).toEqual([]);
    const response = await post(`/api/approvals/${live}/approve`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      approval: { id: live, status: 'approved', resolvedBy: 'dashboard' },
      drainRequested: true,
    });
    expect(await approvalRow(live)).toMatchObject({ status: 'approved', resolved_by: 'dashboard' });
    expect(await drainsRequested()).toEqual([threadId]);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'target', 'details'])
      .where('target', '=', `approval:${live}`)
      .execute();
    expect(audit).toEqual([
      {
        actor: 'dashboard',
        action: 'approval.approved',
        target: `approval:${live}`,
        details: {
          thread: 'telegram:-100900',
          proposal: { tool: 'reboot_host', args: { host: 'db-1' } },
        },
      },
    ]);
  });

  it('rejects another one', async () => {
    expect((await post(`/api/approvals/${second}/reject`)).status).toBe(200);
    expect(await approvalRow(second)).toMatchObject({
      status: 'rejected',
      resolved_by: 'dashboard',
    });
  });

  it('answers 409 for an approval no longer pending (decided, or past its deadline)', async () => {
    const again = await post(`/api/approvals/${live}/reject`);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: `approval #${live} is no longer pending` });
    expect((await approvalRow(live)).status).toBe('approved');
    expect((await post(`/api/approvals/${lapsed}/approve`)).status).toBe(409);
    expect((await approvalRow(lapsed)).status).toBe('expired');
  });

  it('answers 404 for an unknown approval and 400 for a malformed id', async () => {
    const unknown = await post('/api/approvals/777777/approve');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no approval #777777' });
    const malformed = await post('/api/approvals/-1/approve');
    expect(malformed.status).toBe(400);
    expect((await read<{ error: string }>(malformed)).error).toBe(
      'approval id must be a positive integer, not "-1"',
    );
  });
});

describe('approvals page', () => {
  it('shows each approval with its proposal, and buttons only while pending', async () => {
    await t.database.db
      .insertInto('approvals')
      .values({
        thread_id: threadId,
        run_id: null,
        proposal: JSON.stringify({ tool: 'scale_up', args: { replicas: 5 } }),
        expires_at: new Date(Date.now() + 3600_000),
      })
      .execute();
    const page = await (await t.api('/approvals')).text();
    expect(page).toContain('<h1>Approvals</h1>');
    expect(page).toContain('&quot;tool&quot;: &quot;scale_up&quot;');
    expect(page).toContain('>Approve</button>');
    expect(page).not.toContain('reboot_host');
    const all = await (await t.api('/approvals?status=all')).text();
    expect(all).toContain('reboot_host');
    expect(all).not.toContain(`data-api="/api/approvals/${live}/approve"`);
  });
});
