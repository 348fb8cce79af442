import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import { generatePairingCode, requestPairing } from './pairing-repo.ts';
import { upsertThreadFromChat } from './threads-repo.ts';

/** The codes the test hands out, in order; random ones after. */
const draws: string[] = [];
const newCode = () => draws.shift() ?? generatePairingCode();

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function input(userId: string) {
  const jid = `telegram:${userId}`;
  const thread = await upsertThreadFromChat(t.db, {
    jid,
    channel: 'telegram',
    platformChatId: userId,
    title: null,
    isGroup: false,
  });
  return {
    channel: 'telegram',
    platformUserId: userId,
    userName: null,
    jid,
    threadId: thread.id,
    newCode,
  };
}

describe('requestPairing on a code collision', () => {
  it('draws another code inside the caller transaction, which still commits', async () => {
    draws.push('AAAAAA');
    const first = await requestPairing(t.db, await input('801'));
    expect(first.request.code).toBe('AAAAAA');

    const second = await input('802');
    draws.push('AAAAAA', 'BBBBBB');
    const result = await t.db.transaction().execute(async (trx) => {
      const paired = await requestPairing(trx, second);
      await trx.insertInto('audit_log').values({ actor: 'test', action: 'after' }).execute();
      return paired;
    });
    expect(result).toMatchObject({ created: true, request: { code: 'BBBBBB' } });
    const audit = await t.db.selectFrom('audit_log').select('action').execute();
    expect(audit).toEqual([{ action: 'after' }]);
  });
});
