/**
 * An approval request carries Approve / Reject buttons. A press by the person who asked
 * decides it (the next run receives the decision, the request shows who decided and loses
 * its buttons); a press by another member is refused and the approval stays pending; a press
 * on a request decided already says so and changes nothing. `/approve <id>` keeps working.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { BotMessage, ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const group = { chatId: -960700, type: 'group', title: 'Ops' } as const;
const requester: ChatSpec = { ...group, userId: 995, firstName: 'Ola' };
const member: ChatSpec = { ...group, userId: 996, firstName: 'Bea' };
let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${group.chatId}` });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/ask-approval.mjs`,
  });
});

afterAll(async () => {
  await h?.close();
});

const messages = () => h.telegram.botMessages(group.chatId);
const nthMessage = (count: number): Promise<BotMessage> =>
  waitFor(`bot message ${count}`, () => messages()[count - 1]);
const answerTo = (queryId: string) =>
  waitFor(`the answer to press ${queryId}`, () => h.telegram.callbackAnswer(queryId));

async function statusOf(id: number): Promise<string | undefined> {
  const row = await h.db.db
    .selectFrom('approvals')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.status;
}

describe('approval buttons on Telegram', () => {
  it('are refused to another member, decide for the requester, and say when decided already', async () => {
    await h.telegram.say(requester, '@Andy clean up the logs');
    const request = await nthMessage(1);
    expect(request.text).toBe(
      'Approval needed (#1): delete the old logs\nReply /approve 1 or /reject 1.',
    );
    expect(request.buttons).toEqual([
      { text: 'Approve', data: 'approve:1' },
      { text: 'Reject', data: 'reject:1' },
    ]);

    const refused = await h.telegram.press(member, request, 'approve:1');
    expect((await answerTo(refused)).text).toBe(
      'Only the person who asked, or an admin, can decide approval #1.',
    );
    expect(await statusOf(1)).toBe('pending');
    expect(messages()[0]?.buttons).toHaveLength(2);

    const allowed = await h.telegram.press(requester, request, 'approve:1');
    expect((await answerTo(allowed)).text).toBe('Approved #1.');
    const edited = await waitFor(
      'the request to show who decided',
      () => messages()[0]?.buttons.length === 0 && messages()[0],
    );
    expect(edited.text).toBe('Approval #1: delete the old logs\nApproved by Ola.');
    expect(await statusOf(1)).toBe('approved');
    // The next run receives the decision.
    expect((await nthMessage(2)).text).toBe('decision #1: approved by telegram:995 (Ola)');

    const late = await h.telegram.press(requester, request, 'reject:1');
    expect((await answerTo(late)).text).toBe(
      'Approval #1 is no longer pending: it was approved by telegram:995 (Ola).',
    );
    expect(await statusOf(1)).toBe('approved');
    expect(messages()[0]?.text).toBe('Approval #1: delete the old logs\nApproved by Ola.');
    const audit = await h.db.db.selectFrom('audit_log').select(['action', 'target']).execute();
    expect(audit).toEqual([{ action: 'approval.approved', target: 'approval:1' }]);
  });

  it('a press redelivered (its update not confirmed) decides once', async () => {
    await h.telegram.say(requester, '@Andy clean up again');
    const request = await nthMessage(3);
    expect(request.buttons.map((b) => b.data)).toEqual(['approve:2', 'reject:2']);
    const pressed = await h.telegram.press(requester, request, 'reject:2');
    expect((await answerTo(pressed)).text).toBe('Rejected #2.');
    expect((await nthMessage(4)).text).toBe('decision #2: rejected by telegram:995 (Ola)');
    h.telegram.redeliverAll();
    await h.telegram.say(requester, '/approve 2');
    expect((await nthMessage(5)).text).toBe(
      'Approval #2 is no longer pending: it was rejected by telegram:995 (Ola).',
    );
    expect(messages()).toHaveLength(5);
    expect(messages()[2]?.text).toBe('Approval #2: delete the old logs\nRejected by Ola.');
    const decided = await h.db.db
      .selectFrom('audit_log')
      .select('action')
      .where('target', '=', 'approval:2')
      .execute();
    expect(decided).toEqual([{ action: 'approval.rejected' }]);
  });
});
