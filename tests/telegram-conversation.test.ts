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
const unknown: ChatSpec = { chatId: 556, type: 'private', userId: 556, firstName: 'Erin' };
const PAIRING_CODE = /Your pairing code is ([A-Z2-9]{6}) \(valid for one hour\)/;

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

  it('gives an unknown direct-chat user one pairing code an hour, and answers them once approved', async () => {
    await h.telegram.say(unknown, 'hello?');
    const [prompt] = await waitFor(
      'the pairing code',
      () =>
        h.telegram.botMessages(unknown.chatId).length > 0 && h.telegram.botMessages(unknown.chatId),
    );
    expect(prompt!.text).toContain("Hi Erin! I don't know you yet.");
    const expired = PAIRING_CODE.exec(prompt!.text)?.[1];
    expect(prompt!.text).toContain(`gridbot pairing approve ${expired}`);

    // No second code while the first is valid.
    await h.telegram.say(unknown, 'anyone there?');
    await sleep(1_500);
    expect(h.telegram.botMessages(unknown.chatId)).toHaveLength(1);
    expect((await h.cli(['pairing', 'list'])).output).toContain(`${expired}\tpending`);

    // An hour later (moved back in the database), the next message gets a new code.
    await h.db.db
      .updateTable('pairing_requests')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('code', '=', expired!)
      .execute();
    const refused = await h.cli(['pairing', 'approve', expired!]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`Pairing code ${expired} has expired`);
    await h.telegram.say(unknown, 'still me');
    const prompts = await waitFor('a new pairing code', () => {
      const all = h.telegram.botMessages(unknown.chatId);
      return all.length === 2 && all;
    });
    const code = PAIRING_CODE.exec(prompts[1]!.text)?.[1];
    expect(code).toBeDefined();
    expect(code).not.toBe(expired);

    const approved = await h.cli(['pairing', 'approve', code!.toLowerCase()]);
    expect(approved.code).toBe(0);
    expect(approved.output).toContain('Approved Erin (telegram:556); telegram:556 is registered');

    await h.telegram.say(unknown, 'now do you know me?');
    const replies = await waitFor('an answer from the assistant', () => {
      const all = h.telegram.botMessages(unknown.chatId);
      return all.length === 3 && all;
    });
    const answer = withoutTimes(replies[2]!.text);
    expect(answer).toContain('Echo:');
    expect(answer).toContain('[Erin] now do you know me?');
    // What was said before pairing was never kept.
    expect(answer).not.toContain('anyone there?');

    // Pairing belongs to the user: a chat deleted since (as retention does) comes back answered.
    await h.db.db.deleteFrom('threads').where('jid', '=', `telegram:${unknown.chatId}`).execute();
    await h.telegram.say(unknown, 'back again');
    const after = await waitFor('an answer in the recreated chat', () => {
      const all = h.telegram.botMessages(unknown.chatId);
      return all.length === 4 && all;
    });
    expect(withoutTimes(after[3]!.text)).toContain('[Erin] back again');
    await sleep(1_000);
    expect(h.telegram.botMessages(unknown.chatId)).toHaveLength(4);
  });

  it('lets the admin approve a pairing code from the main chat, and nowhere else', async () => {
    const admin: ChatSpec = { chatId: 777, type: 'private', userId: 777, firstName: 'Admin' };
    const newcomer: ChatSpec = { chatId: 557, type: 'private', userId: 557, firstName: 'Farid' };
    const main = await h.cli(['threads', 'register', 'telegram:777', '--main', '--no-trigger']);
    expect(main.code).toBe(0);
    await h.telegram.say(newcomer, 'hi');
    const [prompt] = await waitFor('the pairing code', () => {
      const all = h.telegram.botMessages(newcomer.chatId);
      return all.length > 0 && all;
    });
    const code = PAIRING_CODE.exec(prompt!.text)?.[1];
    expect(code).toBeDefined();

    const before = h.telegram.botMessages(group.chatId).length;
    await h.telegram.say(group, `/pair ${code}`);
    const inGroup = await waitFor('the refusal in a group', () => {
      const all = h.telegram.botMessages(group.chatId);
      return all.length > before && all;
    });
    expect(inGroup.at(-1)!.text).toContain('Pairing codes are approved in the main chat');

    await h.telegram.say(admin, `/pair ${code!.toLowerCase()}`);
    const [done] = await waitFor('the approval in the main chat', () => {
      const all = h.telegram.botMessages(admin.chatId);
      return all.length > 0 && all;
    });
    expect(done!.text).toBe('Approved Farid: telegram:557 is answered from now on.');
    const audit = await h.db.db
      .selectFrom('audit_log')
      .select(['actor', 'action'])
      .where('action', '=', 'pairing.approved')
      .where('actor', 'like', 'telegram:777%')
      .execute();
    expect(audit).toEqual([{ actor: 'telegram:777 (Admin)', action: 'pairing.approved' }]);

    await h.telegram.say(newcomer, 'hello again');
    const replies = await waitFor('an answer to the newcomer', () => {
      const all = h.telegram.botMessages(newcomer.chatId);
      return all.length === 2 && all;
    });
    expect(withoutTimes(replies[1]!.text)).toContain('[Farid] hello again');
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

  it('keeps a photo in artifact storage, by key, and tells a model without vision that it cannot see it', async () => {
    const chat: ChatSpec = { ...group, chatId: -100444, title: 'Photos' };
    await h.cli(['threads', 'register', `telegram:${chat.chatId}`]);
    h.telegram.files.set('AgAD-large', {
      data: Buffer.from('not really a jpeg'),
      path: 'photos/file_1.jpg',
    });
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
    expect(artifact).toMatchObject({ kind: 'image', url: null, analysis: null });
    expect(artifact.storage_key).toMatch(/^\d+\/[0-9a-f]{64}\.jpg$/);
    expect(withoutTimes(reply!.text)).toContain(
      `[Alice] @Andy what is in this picture?\n[image #${artifact.id}: 1280x853]\n[image #${artifact.id}: not seen: the model (echo) cannot look at images]`,
    );
  });
});
