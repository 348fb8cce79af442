/**
 * A button press against a real Postgres: the cases the end-to-end suites do not reach
 * (expired, superseded, a bot, a button of no approval, a platform refusing the answer).
 */
import type { ActionAnswer, InboundAction } from '@gridbot/core';
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../tests/support/fake-bot-api.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { handleApprovalPress } from './approval-press.ts';

const JID = 'telegram:-100950';
let t: TestDatabase;
let threadId: number;
let runId: number;
let requesterId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  threadId = (await registerThread(t.db, { jid: JID })).id;
  runId = (
    await t.db
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
  requesterId = (
    await t.db
      .insertInto('users')
      .values({
        channel: 'telegram',
        platform_user_id: '501',
        name: 'Ola',
        username: null,
        tz_name: null,
        tz_label: null,
        tz_offset_minutes: null,
        config: '{}',
        last_seen: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});

afterAll(async () => {
  await t?.drop();
});

async function approval(extra: { status?: 'superseded'; expiresInMs?: number } = {}) {
  const row = await t.db
    .insertInto('approvals')
    .values({
      thread_id: threadId,
      run_id: runId,
      requested_by: requesterId,
      proposal: JSON.stringify({ tool: 'bash', summary: 'delete the old logs' }),
      expires_at: new Date(Date.now() + (extra.expiresInMs ?? 60_000)),
      ...(extra.status && { status: extra.status }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function press(data: string, sender: { id?: string; isBot?: boolean } = {}): InboundAction {
  return {
    kind: 'action',
    channel: 'telegram',
    chat: { jid: JID, platformChatId: '-100950', title: 'Ops', isGroup: true },
    sender: {
      platformUserId: sender.id ?? '501',
      name: 'Ola',
      username: null,
      isBot: sender.isBot ?? false,
    },
    actionId: 'q1',
    actionToken: null,
    platformMessageId: '9',
    data,
  };
}

async function handle(action: InboundAction, refuse = false) {
  const answers: ActionAnswer[] = [];
  const drains: number[] = [];
  const { logger, records } = captureLogger();
  const outcome = await handleApprovalPress(action, {
    db: t.db,
    admins: new Set(),
    logger,
    requestDrain: async (id) => {
      drains.push(id);
    },
    answer: async (answer) => {
      answers.push(answer);
      if (refuse) throw new Error('Bad Request: query is too old');
    },
  });
  return { outcome, answers, drains, records };
}

const statusOf = async (id: number) =>
  (
    await t.db
      .selectFrom('approvals')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).status;

describe('a press on an approval button', () => {
  it('on an expired request says so, and asks for no run', async () => {
    const id = await approval({ expiresInMs: -1_000 });
    const { outcome, answers, drains } = await handle(press(`approve:${id}`));
    expect(outcome).toBe('approval-refused');
    expect(answers).toEqual([
      { text: `Approval #${id} is no longer pending: it expired.`, edit: null },
    ]);
    expect(drains).toEqual([]);
    expect(await statusOf(id)).toBe('expired');
  });

  it('on a superseded request says so', async () => {
    const id = await approval({ status: 'superseded' });
    const { answers } = await handle(press(`reject:${id}`));
    expect(answers[0]?.text).toBe(
      `Approval #${id} is no longer pending: a newer message to the assistant superseded it.`,
    );
  });

  it('by a bot is refused, the request left pending', async () => {
    const id = await approval();
    const { answers } = await handle(press(`approve:${id}`, { isBot: true }));
    expect(answers[0]?.text).toBe('Approvals are decided by people, not by bots.');
    expect(await statusOf(id)).toBe('pending');
  });

  it('on a button of no approval here, or of something else, says so', async () => {
    const missing = await handle(press('approve:999999'));
    expect(missing.answers[0]?.text).toBe('There is no approval #999999 in this chat.');
    const other = await handle(press('launch:1'));
    expect(other).toMatchObject({
      outcome: 'ignored',
      answers: [{ text: 'This button does nothing here any more.', edit: null }],
    });
  });

  it('decides even when the platform refuses the answer (logged), and asks for the run', async () => {
    const id = await approval();
    const { outcome, answers, drains, records } = await handle(press(`approve:${id}`), true);
    expect(outcome).toBe('approval-decided');
    expect(answers).toEqual([
      {
        text: `Approved #${id}.`,
        edit: `Approval #${id}: delete the old logs\nApproved by Ola.`,
      },
    ]);
    expect(drains).toEqual([threadId]);
    expect(await statusOf(id)).toBe('approved');
    expect(records.some((r) => r.msg === 'could not answer a button press')).toBe(true);
  });
});
