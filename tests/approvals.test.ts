import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -960100,
  type: 'group',
  title: 'Ops',
  userId: 992,
  firstName: 'Ola',
};
let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/ask-approval.mjs`,
  });
});

afterAll(async () => {
  await h?.close();
});

const replies = () => h.telegram.botMessages(chat.chatId).map((m) => m.text);
const nextReply = (count: number) =>
  waitFor(`reply ${count}`, () => replies().length >= count && replies()[count - 1]);

async function runStatuses() {
  const rows = await h.db.db.selectFrom('agent_runs').select('status').orderBy('id').execute();
  return rows.map((r) => r.status);
}

describe('approvals', () => {
  it('asks in the chat, ends the run awaiting, and hands the decision to the next run once', async () => {
    await h.telegram.say(chat, '@Andy clean up the server');
    expect(await nextReply(1)).toBe(
      'Approval needed (#1): delete the old logs\nReply /approve 1 or /reject 1.',
    );
    await waitFor(
      'the run to end awaiting approval',
      async () => (await runStatuses()).at(-1) === 'awaiting_approval',
    );

    await h.telegram.say(chat, '/reject 99');
    expect(await nextReply(2)).toBe('There is no approval #99 in this chat.');

    await h.telegram.say(chat, '/approve 1');
    expect(await nextReply(3)).toBe('decision #1: approved by telegram:992 (Ola)');
    await h.telegram.say(chat, '/approve 1');
    expect(await nextReply(4)).toBe(
      'Approval #1 is no longer pending: it was approved by telegram:992 (Ola).',
    );

    const approval = await h.db.db
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    expect(approval).toMatchObject({
      status: 'approved',
      proposal: { tool: 'bash', summary: 'delete the old logs' },
    });
    expect(approval.delivered_at).not.toBeNull();
    const audit = await h.db.db.selectFrom('audit_log').select(['action', 'target']).execute();
    expect(audit).toEqual([{ action: 'approval.approved', target: 'approval:1' }]);
    expect(await runStatuses()).toEqual(['awaiting_approval', 'succeeded']);
  });

  it('a new message to the assistant supersedes a pending approval', async () => {
    await h.telegram.say(chat, '@Andy clean up again');
    expect(await nextReply(5)).toBe(
      'Approval needed (#2): delete the old logs\nReply /approve 2 or /reject 2.',
    );
    await waitFor(
      'the run to end awaiting approval',
      async () => (await runStatuses()).at(-1) === 'awaiting_approval',
    );
    await h.telegram.say(chat, '@Andy never mind');
    expect(await nextReply(6)).toBe('decision #2: superseded');
  });
});
