/**
 * Only the person whose message led to an approval request, or an admin, decides it: another
 * member of the group and a bot are refused, and the approval stays pending.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

const group = { chatId: -960500, type: 'group', title: 'Ops' } as const;
const requester: ChatSpec = { ...group, userId: 992, firstName: 'Ola' };
const member: ChatSpec = { ...group, userId: 993, firstName: 'Bea' };
const admin: ChatSpec = { ...group, userId: 777, firstName: 'Ada' };
let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${group.chatId}` });
  await h.start(['gateway', '--channel', 'telegram'], { TELEGRAM_ADMIN_USERS: '777' });
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/ask-approval.mjs`,
  });
});

afterAll(async () => {
  await h?.close();
});

const replies = () => h.telegram.botMessages(group.chatId).map((m) => m.text);
const nextReply = (count: number) =>
  waitFor(`reply ${count}`, () => replies().length >= count && replies()[count - 1]);

const statusOf = (id: number) => h.approvalStatus(id);

describe('deciding an approval', () => {
  it('is refused to another member and to a bot, and left to the requester', async () => {
    await h.telegram.say(requester, '@Andy clean up the logs');
    expect(await nextReply(1)).toMatch(/^Approval needed \(#1\)/);

    await h.telegram.say(member, '/approve 1');
    expect(await nextReply(2)).toBe(
      'Only the person who asked, or an admin, can decide approval #1.',
    );
    await h.telegram.say(member, '/approve 1', {
      from: { id: 994, is_bot: true, first_name: 'Relay' },
    });
    expect(await nextReply(3)).toBe('Approvals are decided by people, not by bots.');
    expect(await statusOf(1)).toBe('pending');

    await h.telegram.say(requester, '/approve 1');
    expect(await nextReply(4)).toBe('decision #1: approved by telegram:992 (Ola)');
    expect(await statusOf(1)).toBe('approved');
  });

  it('may be decided by an admin (ADMIN_USERS) for anyone', async () => {
    await h.telegram.say(requester, '@Andy clean up again');
    expect(await nextReply(5)).toMatch(/^Approval needed \(#2\)/);
    await h.telegram.say(admin, '/reject 2');
    expect(await nextReply(6)).toBe('decision #2: rejected by telegram:777 (Ada)');
    expect(await statusOf(2)).toBe('rejected');
  });
});

describe('approving a pairing code', () => {
  it('is refused to a bot, even in the main chat', async () => {
    const main = { chatId: -960600, type: 'group', title: 'Admins' } as const;
    await registerThread(h.db.db, { jid: `telegram:${main.chatId}`, isMain: true });
    const newcomer: ChatSpec = { chatId: 961, type: 'private', userId: 961, firstName: 'Nia' };
    await h.telegram.say(newcomer, 'hi');
    const prompt = await waitFor(
      'the pairing code',
      () => h.telegram.botMessages(newcomer.chatId)[0]?.text,
    );
    const code = /Your pairing code is ([A-Z2-9]{6})/.exec(prompt)?.[1];
    expect(code).toBeDefined();
    await h.telegram.say({ ...main, userId: 962, firstName: 'Hook' }, `/pair ${code}`, {
      from: { id: 962, is_bot: true, first_name: 'Hook' },
    });
    const refusal = await waitFor(
      'the refusal',
      () => h.telegram.botMessages(main.chatId)[0]?.text,
    );
    expect(refusal).toBe('Pairing codes are approved by people, not by bots.');
    const request = await h.db.db
      .selectFrom('pairing_requests')
      .select('approved_at')
      .where('code', '=', code!)
      .executeTakeFirstOrThrow();
    expect(request.approved_at).toBeNull();
  });
});
