/**
 * Feishu through real gateway and worker processes: the real @larksuiteoapi/node-sdk on
 * its long connection to the fake Feishu (protobuf frames), and a second gateway taking
 * the HTTP event callback, replies through the fake's OpenAPI.
 */
import { feishuJid } from '@gridbot/channels/feishu';
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import { type FakeFeishu, startFakeFeishu } from './support/fake-feishu/fake-feishu.ts';
import {
  APP,
  ENCRYPT_KEY,
  GROUP,
  mentionEvent,
  messageEvent,
  OTHER_GROUP,
  P2P,
  VERIFICATION_TOKEN,
  ZHAO,
} from './support/fake-feishu/feishu-payloads.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { tokenReplies, tokens } from './support/token-replies.ts';
import { waitFor } from './support/wait-for.ts';

const LONG_CHINESE = Array.from({ length: 300 }, (_, i) => `第${i}段：飞书长回复测试𠀀。`).join('');

let h: PipelineHarness;
let feishu: FakeFeishu;
let llm: FakeLlmServer;
let gateway: GridbotProcess;
let callbackUrl: string;
const token = tokens('F');

const credentials = () => ({
  FEISHU_APP_ID: APP.appId,
  FEISHU_APP_SECRET: APP.appSecret,
  FEISHU_DOMAIN: feishu.url,
  FEISHU_ALLOWED_USERS: ZHAO.openId,
});

beforeAll(async () => {
  h = await PipelineHarness.create();
  feishu = await startFakeFeishu({ redeliverAfterMs: 1_500 });
  llm = await startFakeAnthropic(tokenReplies('F', LONG_CHINESE));
  await registerThread(h.db.db, { jid: feishuJid(GROUP.chatId, null), title: GROUP.name });
  gateway = await h.start(['gateway', '--channel', 'feishu'], credentials());
  const port = await freePort();
  await h.start(['gateway', '--channel', 'feishu'], {
    ...credentials(),
    FEISHU_MODE: 'http',
    FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    HEALTH_PORT: String(port),
  });
  callbackUrl = `http://127.0.0.1:${port}/feishu/events`;
  await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-feishu-test',
    ANTHROPIC_API_KEY: 'sk-ant-feishu-test-key',
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await feishu?.close();
});

type Sent = FakeFeishu['sent'][number];
const textOf = (m: Sent) => String(m.content.text ?? '');
const inChat = (chatId: string) => feishu.sent.filter((m) => m.chatId === chatId);
const answersTo = (tok: string) => feishu.sent.filter((m) => textOf(m) === `回复 ${tok}`);
const answered = (tok: string) => waitFor(`the answer to ${tok}`, () => answersTo(tok)[0], 20_000);
const stored = (pattern: string) =>
  h.db.db
    .selectFrom('messages')
    .select(['content', 'sender_name'])
    .where('role', '=', 'user')
    .where('content', 'like', pattern)
    .execute();

describe('a conversation over Feishu’s long connection, through real processes', () => {
  it('answers an @-mention in a registered group, with the mention and the sender’s name resolved', async () => {
    const tok = token();
    feishu.push(mentionEvent(`看一下 ${tok}`));
    const reply = await answered(tok);
    expect(reply).toMatchObject({ chatId: GROUP.chatId, msgType: 'text' });
    // Each chunk carries a uuid, so a retried send is not doubled.
    expect(reply.uuid).toMatch(/\S+/);
    const [message] = await stored(`%${tok}%`);
    expect(message).toEqual({ content: `@GridBot 看一下 ${tok}`, sender_name: '王五' });
  });

  it('answers an allowed person in a one-to-one chat', async () => {
    const tok = token();
    feishu.push(messageEvent({ text: `你好 ${tok}`, chatType: 'p2p', sender: ZHAO }));
    expect((await answered(tok)).chatId).toBe(P2P.chatId);
  });

  it('does not answer an unregistered group and keeps none of its text', async () => {
    const tok = token();
    const pushed = mentionEvent(`机密 ${tok}`, { chatId: OTHER_GROUP.chatId });
    feishu.push(pushed);
    const eventId = String((pushed.header as Record<string, unknown>).event_id);
    await waitFor('the event acknowledged', () => feishu.acks.includes(eventId), 20_000);
    const thread = await h.db.db
      .selectFrom('threads')
      .selectAll()
      .where('jid', '=', feishuJid(OTHER_GROUP.chatId, null))
      .executeTakeFirst();
    expect(thread?.registered).toBe(false);
    expect(await stored(`%${tok}%`)).toEqual([]);
    expect(inChat(OTHER_GROUP.chatId)).toEqual([]);
  });

  it('stores and answers an event delivered twice once', async () => {
    const tok = token();
    const event = mentionEvent(`只一次 ${tok}`);
    feishu.push(event);
    await answered(tok);
    feishu.push(event);
    const next = token();
    feishu.push(mentionEvent(`然后 ${next}`));
    await answered(next);
    expect(answersTo(tok)).toHaveLength(1);
    expect(await stored(`%${tok}%`)).toHaveLength(1);
  });

  it('sends a 5,000-character Chinese reply in order within Feishu’s limits, never splitting a character', async () => {
    const before = inChat(GROUP.chatId).length;
    feishu.push(mentionEvent('请给一个长回复'));
    const chunks = await waitFor(
      'the whole long reply',
      () => {
        const texts = inChat(GROUP.chatId).slice(before).map(textOf);
        return texts.join('') === LONG_CHINESE && texts;
      },
      30_000,
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(4000);
      expect(chunk.isWellFormed()).toBe(true);
      expect(chunk.endsWith('。')).toBe(true);
    }
  });

  it('reconnects after the long connection drops and loses nothing delivered meanwhile', async () => {
    const opened = feishu.openings;
    feishu.drop();
    const tok = token();
    feishu.push(mentionEvent(`断线 ${tok}`));
    await answered(tok);
    expect(feishu.openings).toBeGreaterThan(opened);
    expect(feishu.pending()).toBe(0);
  });

  it('skips a malformed event with a warning and goes on', async () => {
    const broken = mentionEvent('broken');
    delete ((broken.event as Record<string, unknown>).message as Record<string, unknown>).chat_id;
    feishu.push(broken);
    const tok = token();
    feishu.push(mentionEvent(`还在 ${tok}`));
    await answered(tok);
    await waitFor('the warning', () =>
      gateway
        .logs()
        .some(
          (l) => l.level === 40 && String(l.msg).includes('malformed feishu event: no chat_id'),
        ),
    );
  });

  it('waits out Feishu’s frequency limit and sends the reply once', async () => {
    feishu.rateLimitNext(2);
    const tok = token();
    feishu.push(mentionEvent(`限流 ${tok}`));
    await answered(tok);
    expect(answersTo(tok)).toHaveLength(1);
  });
});

describe('Feishu’s HTTP event callback', () => {
  it('answers the URL check with its challenge, only with the app’s verification token', async () => {
    const check = { challenge: 'ch-123', token: VERIFICATION_TOKEN, type: 'url_verification' };
    const ok = await feishu.deliverHttp(callbackUrl, check, { encryptKey: ENCRYPT_KEY });
    expect(ok).toEqual({ status: 200, body: JSON.stringify({ challenge: 'ch-123' }) });
    const wrong = await feishu.deliverHttp(
      callbackUrl,
      { ...check, token: 'someone-else' },
      { encryptKey: ENCRYPT_KEY },
    );
    expect(wrong.status).toBe(401);
  });

  it('refuses a forged signature or another verification token, and keeps nothing of it', async () => {
    const tok = token();
    const forged = await feishu.deliverHttp(callbackUrl, mentionEvent(`伪造 ${tok}`), {
      encryptKey: ENCRYPT_KEY,
      signWith: 'not-the-encrypt-key',
    });
    expect(forged.status).toBe(401);
    const event = mentionEvent(`冒充 ${tok}`);
    (event.header as Record<string, unknown>).token = 'another-apps-token';
    expect((await feishu.deliverHttp(callbackUrl, event, { encryptKey: ENCRYPT_KEY })).status).toBe(
      401,
    );
    expect(await stored(`%${tok}%`)).toEqual([]);
  });

  it('answers an encrypted event 200 once kept, and a redelivered one once', async () => {
    const tok = token();
    const event = mentionEvent(`回调 ${tok}`);
    expect((await feishu.deliverHttp(callbackUrl, event, { encryptKey: ENCRYPT_KEY })).status).toBe(
      200,
    );
    expect(await stored(`%${tok}%`)).toHaveLength(1);
    await answered(tok);
    expect((await feishu.deliverHttp(callbackUrl, event, { encryptKey: ENCRYPT_KEY })).status).toBe(
      200,
    );
    const next = token();
    await feishu.deliverHttp(callbackUrl, mentionEvent(`再来 ${next}`), {
      encryptKey: ENCRYPT_KEY,
    });
    await answered(next);
    expect(answersTo(tok)).toHaveLength(1);
  });
});
