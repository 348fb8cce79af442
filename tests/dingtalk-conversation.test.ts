/**
 * DingTalk through real gateway and worker processes: the real dingtalk-stream SDK on a
 * Stream connection to the fake DingTalk, replies through its robot API.
 */
import { groupJid, userJid } from '@gridbot/channels/dingtalk';
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import {
  APP,
  GROUP,
  LI,
  OTHER_GROUP,
  robotMessage,
  ZHANG,
} from './support/fake-dingtalk/dingtalk-payloads.ts';
import { type FakeDingTalk, startFakeDingTalk } from './support/fake-dingtalk/fake-dingtalk.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { tokenReplies, tokens } from './support/token-replies.ts';
import { waitFor } from './support/wait-for.ts';

/** 𠀀 (U+20000) is one character of two UTF-16 units: a chunk must never split it. */
const LONG_CHINESE = Array.from(
  { length: 320 },
  (_, i) => `第${i}句：长回复里有汉字𠀀和标点。`,
).join('');

let h: PipelineHarness;
let dingtalk: FakeDingTalk;
let llm: FakeLlmServer;
let gateway: GridbotProcess;
const token = tokens('T');

beforeAll(async () => {
  h = await PipelineHarness.create();
  dingtalk = await startFakeDingTalk({ redeliverAfterMs: 1_500 });
  llm = await startFakeAnthropic(tokenReplies('T', LONG_CHINESE));
  await registerThread(h.db.db, { jid: groupJid(GROUP.conversationId), title: GROUP.title });
  gateway = await h.start(['gateway', '--channel', 'dingtalk'], {
    DINGTALK_CLIENT_ID: APP.clientId,
    DINGTALK_CLIENT_SECRET: APP.clientSecret,
    DINGTALK_API_BASE: dingtalk.apiBase,
    DINGTALK_OAPI_BASE: dingtalk.apiBase,
    DINGTALK_ALLOWED_USERS: LI.staffId,
  });
  await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-dingtalk-test',
    ANTHROPIC_API_KEY: 'sk-ant-dingtalk-test-key',
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await dingtalk?.close();
});

const inGroup = (conversationId = GROUP.conversationId) =>
  dingtalk.sent.filter((m) => m.to.kind === 'group' && m.to.conversationId === conversationId);
const textOf = (m: FakeDingTalk['sent'][number]) => String(m.msgParam.content ?? m.msgParam.text);
const answersTo = (tok: string) => dingtalk.sent.filter((m) => textOf(m) === `回复 ${tok}`);
const answered = (tok: string) => waitFor(`the answer to ${tok}`, () => answersTo(tok)[0], 20_000);
/** The messages (people's, unless `role` says otherwise) stored with text like `pattern`. */
const storedLike = (pattern: string, role: 'user' | 'assistant' = 'user') =>
  h.db.db
    .selectFrom('messages')
    .select('content')
    .where('role', '=', role)
    .where('content', 'like', pattern)
    .execute();

describe('a conversation over DingTalk, through real gateway and worker processes', () => {
  it('answers an @-mention in a registered group, to the group’s conversation, and acknowledges the push', async () => {
    const tok = token();
    const pushed = dingtalk.push(robotMessage({ text: `帮我看看 ${tok}` }));
    const reply = await answered(tok);
    expect(reply.to).toEqual({ kind: 'group', conversationId: GROUP.conversationId });
    expect(reply.msgKey).toBe('sampleText');
    await waitFor('the push acknowledged', () => dingtalk.acks.includes(pushed));
    const [stored] = await storedLike(`%${tok}%`);
    expect(stored?.content).toBe(`帮我看看 ${tok}`);
    // Only robot callbacks are subscribed, and the Stream connection was opened once.
    expect(dingtalk.openings[0]).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
    ]);
  });

  it('answers an allowed person in a one-to-one chat through oToMessages', async () => {
    const tok = token();
    dingtalk.push(robotMessage({ text: `你好 ${tok}`, chat: 'single', sender: LI }));
    const reply = await answered(tok);
    expect(reply.to).toEqual({ kind: 'user', staffIds: [LI.staffId] });
    const thread = await h.db.db
      .selectFrom('threads')
      .select('jid')
      .where('jid', '=', userJid(LI.staffId))
      .executeTakeFirst();
    expect(thread).toBeDefined();
  });

  it('does not answer an unregistered group and keeps none of its text', async () => {
    const tok = token();
    const pushed = dingtalk.push(
      robotMessage({ text: `机密计划 ${tok}`, conversationId: OTHER_GROUP.conversationId }),
    );
    await waitFor('the push handled', () => dingtalk.acks.includes(pushed), 20_000);
    const thread = await h.db.db
      .selectFrom('threads')
      .selectAll()
      .where('jid', '=', groupJid(OTHER_GROUP.conversationId))
      .executeTakeFirst();
    expect(thread?.registered).toBe(false);
    expect(await storedLike(`%${tok}%`)).toEqual([]);
    expect(inGroup(OTHER_GROUP.conversationId)).toEqual([]);
  });

  it('stores and answers a message DingTalk pushes twice once', async () => {
    const tok = token();
    const message = robotMessage({ text: `只回答一次 ${tok}` });
    dingtalk.push(message);
    await answered(tok);
    dingtalk.push(message);
    const next = token();
    dingtalk.push(robotMessage({ text: `下一条 ${next}` }));
    await answered(next);
    expect(answersTo(tok)).toHaveLength(1);
    expect(await storedLike(`%${tok}%`)).toHaveLength(1);
  });

  it('sends a 5,000-character Chinese reply in order, in chunks within DingTalk’s limits, never splitting a character', async () => {
    const before = inGroup().length;
    dingtalk.push(robotMessage({ text: '请给我一个长回复' }));
    const chunks = await waitFor(
      'the whole long reply',
      () => {
        const texts = inGroup().slice(before).map(textOf);
        return texts.join('') === LONG_CHINESE && texts;
      },
      30_000,
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(3000);
      expect(Buffer.byteLength(chunk)).toBeLessThan(20_000);
      expect(chunk.isWellFormed()).toBe(true);
      expect(chunk.endsWith('。')).toBe(true);
    }
    // Stored as written, and found by a Chinese search.
    const [stored] = await storedLike('%长回复里有汉字𠀀%', 'assistant');
    expect(stored?.content).toBe(LONG_CHINESE);
    dingtalk.push(robotMessage({ text: '/history search 汉字𠀀' }));
    const found = await waitFor(
      'the search result',
      () => inGroup().find((m) => textOf(m).includes('第0句') && !textOf(m).startsWith('第')),
      20_000,
    );
    expect(textOf(found)).toContain('长回复里有汉字𠀀');
  });

  it('reconnects after the Stream connection drops and loses nothing pushed meanwhile', async () => {
    const opened = dingtalk.openings.length;
    dingtalk.drop();
    const tok = token();
    dingtalk.push(robotMessage({ text: `断线期间 ${tok}` }));
    await answered(tok);
    expect(dingtalk.openings.length).toBeGreaterThan(opened);
    expect(dingtalk.pending()).toBe(0);
  });

  it('skips a malformed callback with a warning and goes on', async () => {
    const badJson = dingtalk.push(null, { rawData: '{not json' });
    const noId = robotMessage({ text: 'no id' });
    delete noId.msgId;
    dingtalk.push(noId);
    const tok = token();
    dingtalk.push(robotMessage({ text: `还在吗 ${tok}` }));
    await answered(tok);
    await waitFor('the warnings', () => {
      const warnings = gateway
        .logs()
        .filter((l) => l.level === 40)
        .map((l) => String(l.msg));
      return (
        warnings.some((m) => m.includes('data is not JSON')) &&
        warnings.some((m) => m.includes('malformed dingtalk message: no msgId'))
      );
    });
    // Acknowledged all the same: DingTalk would push them again forever otherwise.
    expect(dingtalk.acks).toContain(badJson);
  });

  it('pauses on DingTalk’s QPS limit and sends the reply after it', async () => {
    dingtalk.rateLimitNext(2);
    const tok = token();
    dingtalk.push(robotMessage({ text: `限流 ${tok}`, sender: ZHANG }));
    await answered(tok);
    expect(answersTo(tok)).toHaveLength(1);
  });
});
