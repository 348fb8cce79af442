import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -800100,
  type: 'supergroup',
  title: 'Laptop',
  userId: 970,
  firstName: 'Lena',
};

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
});

afterAll(async () => {
  await h?.close();
});

describe('gridbot start', () => {
  it('runs the Telegram gateway and a worker in one process and answers', async () => {
    const all = await h.start(['start']);
    await h.telegram.say(chat, '@Andy one process?');
    const [reply] = await waitFor('a reply', () => {
      const messages = h.telegram.botMessages(chat.chatId);
      return messages.length > 0 && messages;
    });
    expect(withoutTimes(reply!.text)).toContain('[Lena] @Andy one process?');
    const instances = await h.db.db.selectFrom('instances').select(['role', 'pid']).execute();
    expect(instances).toEqual([{ role: 'all', pid: all.child.pid }]);
    expect(await all.stop()).toBe(0);
  });
});
