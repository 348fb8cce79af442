import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { sleep, waitFor } from './support/wait-for.ts';

const group: ChatSpec = {
  chatId: -100111,
  type: 'supergroup',
  title: 'Team',
  userId: 501,
  firstName: 'Alice',
};
const stranger: ChatSpec = {
  chatId: -100999,
  type: 'group',
  title: 'Elsewhere',
  userId: 502,
  firstName: 'Bob',
};
const direct: ChatSpec = { chatId: 555, type: 'private', userId: 555, firstName: 'Dana' };

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  const registered = await h.cli([
    'threads',
    'register',
    `telegram:${group.chatId}`,
    '--name',
    'Team',
  ]);
  expect(registered.output).toContain('Registered telegram:-100111');
  expect(registered.code).toBe(0);
  await h.start(['gateway', '--channel', 'telegram'], { TELEGRAM_ALLOWED_USERS: '555' });
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
});

describe('a conversation over Telegram, through real gateway and worker processes', () => {
  it('answers "@Andy hello" in a registered group with the echo reply', async () => {
    await h.telegram.say(group, '@Andy hello');
    const [reply] = await waitFor(
      'a reply in the group',
      () => h.telegram.botMessages(group.chatId).length > 0 && h.telegram.botMessages(group.chatId),
    );
    expect(reply!.text).toContain('Echo:');
    expect(withoutTimes(reply!.text)).toContain('[Alice] @Andy hello');
  });

  it('stores a message without the trigger silently, and gives it to the agent on the next trigger', async () => {
    const before = h.telegram.botMessages(group.chatId).length;
    await h.telegram.say(group, 'lunch at noon?');
    await sleep(1_500);
    expect(h.telegram.botMessages(group.chatId)).toHaveLength(before);
    await h.telegram.say(group, '@Andy what did I just ask?');
    const replies = await waitFor('the second reply', () => {
      const all = h.telegram.botMessages(group.chatId);
      return all.length > before && all;
    });
    const reply = withoutTimes(replies.at(-1)!.text);
    expect(reply).toContain('[Alice] lunch at noon?');
    expect(reply).toContain('[Alice] @Andy what did I just ask?');
    expect(reply.indexOf('lunch at noon?')).toBeLessThan(reply.indexOf('what did I just ask?'));
  });

  it('does not answer an unregistered group and keeps none of its text', async () => {
    await h.telegram.say(stranger, '@Andy secret plans');
    await sleep(1_500);
    expect(h.telegram.botMessages(stranger.chatId)).toEqual([]);
    const thread = await h.db.db
      .selectFrom('threads')
      .selectAll()
      .where('jid', '=', `telegram:${stranger.chatId}`)
      .executeTakeFirstOrThrow();
    expect(thread).toMatchObject({ registered: false, title: 'Elsewhere' });
    const stored = await h.db.db
      .selectFrom('messages')
      .select('content')
      .where('content', 'like', '%secret%')
      .execute();
    expect(stored).toEqual([]);
  });

  it('answers an allowed user in a direct chat without a trigger', async () => {
    await h.telegram.say(direct, 'hi there');
    const [reply] = await waitFor(
      'a direct reply',
      () =>
        h.telegram.botMessages(direct.chatId).length > 0 && h.telegram.botMessages(direct.chatId),
    );
    expect(withoutTimes(reply!.text)).toContain('[Dana] hi there');
  });

  it('stores a redelivered update once and answers it once', async () => {
    const chat: ChatSpec = { ...group, chatId: -100222, title: 'Dupes' };
    await h.cli(['threads', 'register', `telegram:${chat.chatId}`]);
    await h.telegram.say(chat, '@Andy only once');
    await waitFor('the first reply', () => h.telegram.botMessages(chat.chatId).length === 1);
    expect(h.telegram.redeliverAll()).toBeGreaterThan(0);
    await sleep(2_000);
    expect(h.telegram.botMessages(chat.chatId)).toHaveLength(1);
    const stored = await h.db.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select('messages.content')
      .where('threads.jid', '=', `telegram:${chat.chatId}`)
      .where('messages.role', '=', 'user')
      .execute();
    expect(stored).toEqual([{ content: '@Andy only once' }]);
  });

  it('delivers a 10,000-character reply as ordered chunks of at most 4096 characters', async () => {
    const chat: ChatSpec = { ...group, chatId: -100333, title: 'Long' };
    await h.cli(['threads', 'register', `telegram:${chat.chatId}`]);
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    await h.telegram.say(chat, `@Andy ${words.join(' ')}`);
    const chunks = await waitFor('all chunks', () => {
      const all = h.telegram.botMessages(chat.chatId);
      return all.some((m) => m.text.includes(words.at(-1)!)) && all;
    });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(4096);
    const received = chunks
      .map((c) => c.text)
      .join(' ')
      .split(/\s+/)
      .filter((w) => /^w\d+$/.test(w));
    expect(received).toEqual(words);
    expect(chunks.map((c) => c.text).join('').length).toBeGreaterThan(10_000);
  });

  it('passes a photo to the agent as an artifact reference, never as data', async () => {
    const chat: ChatSpec = { ...group, chatId: -100444, title: 'Photos' };
    await h.cli(['threads', 'register', `telegram:${chat.chatId}`]);
    await h.telegram.say(chat, '', {
      text: undefined,
      caption: '@Andy what is in this picture?',
      photo: [
        { file_id: 'AgAD-small', width: 90, height: 60, file_size: 1_000 },
        { file_id: 'AgAD-large', width: 1280, height: 853, file_size: 90_000 },
      ],
    });
    const [reply] = await waitFor('the reply', () => {
      const all = h.telegram.botMessages(chat.chatId);
      return all.length > 0 && all;
    });
    const artifact = await h.db.db.selectFrom('artifacts').selectAll().executeTakeFirstOrThrow();
    expect(artifact).toMatchObject({
      kind: 'image',
      storage_key: 'telegram:file:AgAD-large',
      url: null,
    });
    expect(withoutTimes(reply!.text)).toContain(
      `[Alice] @Andy what is in this picture?\n[image #${artifact.id}: 1280x853]`,
    );
  });
});
