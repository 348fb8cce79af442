import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -950100,
  type: 'group',
  title: 'Memory',
  userId: 991,
  firstName: 'Mia',
};
let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/remember.mjs`,
  });
});

afterAll(async () => {
  await h?.close();
});

describe('an agent using memory and tasks through the worker', () => {
  it('writes and reads thread memory, schedules a task, is refused global memory, and sees its memory next run', async () => {
    await h.telegram.say(chat, '@Andy remember the wifi password is tulip');
    await waitFor('the first reply', () => h.telegram.botMessages(chat.chatId).length === 1);
    const first = JSON.parse(h.telegram.botMessages(chat.chatId)[0]!.text);
    expect(first.read.entries.map((e: { content: string }) => e.content)).toEqual([
      '@Andy remember the wifi password is tulip',
    ]);
    expect(first.task.task).toMatchObject({
      prompt: 'daily digest',
      status: 'active',
      timezone: 'UTC',
    });
    expect(first.global.error).toMatchObject({
      message: 'Only the main thread may write global memory.',
    });
    expect(first.memoryAtStart).toEqual({ thread: [], global: [] });

    await h.telegram.say(chat, '@Andy and the door code is 4711');
    await waitFor('the second reply', () => h.telegram.botMessages(chat.chatId).length === 2);
    const second = JSON.parse(h.telegram.botMessages(chat.chatId)[1]!.text);
    expect(second.memoryAtStart.thread).toEqual(['@Andy remember the wifi password is tulip']);
    const tasks = await h.db.db
      .selectFrom('scheduled_tasks')
      .select(['prompt', 'schedule_value'])
      .execute();
    expect(tasks).toEqual([
      { prompt: 'daily digest', schedule_value: '0 8 * * *' },
      { prompt: 'daily digest', schedule_value: '0 8 * * *' },
    ]);
  });
});
