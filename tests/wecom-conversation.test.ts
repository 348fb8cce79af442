/**
 * WeCom through real gateway and worker processes: callbacks encrypted and signed as WeCom
 * does posted to the gateway's callback, replies through the fake's server API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import { type FakeWeCom, startFakeWeCom } from './support/fake-wecom/fake-wecom.ts';
import {
  CALLBACK,
  CHEN,
  CORP,
  LIU,
  messageXml,
  textMessage,
} from './support/fake-wecom/wecom-payloads.ts';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { tokenReplies, tokens } from './support/token-replies.ts';
import { waitFor } from './support/wait-for.ts';

const LONG_CHINESE = Array.from({ length: 300 }, (_, i) => `第${i}条：企业微信长回复𠀀。`).join('');

let h: PipelineHarness;
let wecom: FakeWeCom;
let llm: FakeLlmServer;
let gateway: GridbotProcess;
let callbackUrl: string;
const token = tokens('W');

beforeAll(async () => {
  h = await PipelineHarness.create();
  wecom = await startFakeWeCom();
  llm = await startFakeAnthropic(tokenReplies('W', LONG_CHINESE));
  const port = await freePort();
  gateway = await h.start(['gateway', '--channel', 'wecom'], {
    WECOM_CORP_ID: CORP.corpId,
    WECOM_AGENT_ID: CORP.agentId,
    WECOM_SECRET: CORP.secret,
    WECOM_TOKEN: CALLBACK.token,
    WECOM_ENCODING_AES_KEY: CALLBACK.encodingAESKey,
    WECOM_API_BASE: wecom.apiBase,
    WECOM_ALLOWED_USERS: LIU,
    HEALTH_PORT: String(port),
  });
  callbackUrl = `http://127.0.0.1:${port}/wecom/callback`;
  await h.start(['worker'], {
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-wecom-test',
    ANTHROPIC_API_KEY: 'sk-ant-wecom-test-key',
    ANTHROPIC_BASE_URL: llm.baseURL,
  });
});

afterAll(async () => {
  await h?.close();
  await llm?.close();
  await wecom?.close();
});

type Sent = FakeWeCom['sent'][number];
const textOf = (m: Sent) =>
  String((m.body[m.msgtype] as Record<string, unknown> | undefined)?.content ?? '');
const answersTo = (tok: string) => wecom.sent.filter((m) => textOf(m) === `回复 ${tok}`);
const answered = (tok: string) => waitFor(`the answer to ${tok}`, () => answersTo(tok)[0], 20_000);
const toUser = (user: string) =>
  wecom.sent.filter((m) => m.to.kind === 'user' && m.to.userId === user);
const stored = (pattern: string) =>
  h.db.db
    .selectFrom('messages')
    .select('content')
    .where('role', '=', 'user')
    .where('content', 'like', pattern)
    .execute();

describe('a conversation over WeCom, through real gateway and worker processes', () => {
  it('answers WeCom’s URL check with the decrypted echostr, and refuses it under another token', async () => {
    const check = await wecom.verify(callbackUrl);
    expect(check).toMatchObject({ status: 200, body: check.echo });
    expect((await wecom.verify(callbackUrl, { token: 'someoneElse' })).status).toBe(401);
  });

  it('answers an allowed member in their chat with the app, and answers the callback at once', async () => {
    const tok = token();
    const started = Date.now();
    const posted = await wecom.deliver(callbackUrl, textMessage(`你好 ${tok}`));
    expect(posted).toEqual({ status: 200, body: 'success' });
    // Answered once stored, long before WeCom's 5 s and without waiting for the agent.
    expect(Date.now() - started).toBeLessThan(5_000);
    const reply = await answered(tok);
    expect(reply.to).toEqual({ kind: 'user', userId: LIU });
    expect(reply.body.agentid).toBe(Number(CORP.agentId));
  });

  it('gives a member not allowed a pairing code and keeps nothing they said', async () => {
    const tok = token();
    await wecom.deliver(callbackUrl, textMessage(`秘密 ${tok}`, { from: CHEN }));
    const [prompt] = await waitFor(
      'the pairing prompt',
      () => toUser(CHEN).length > 0 && toUser(CHEN),
      20_000,
    );
    expect(textOf(prompt!)).toMatch(/pairing code is [A-Z2-9]{6}/);
    expect(await stored(`%${tok}%`)).toEqual([]);
    expect(answersTo(tok)).toEqual([]);
  });

  it('refuses a callback signed with another token or sealed for another corp, and stores nothing', async () => {
    const tok = token();
    expect(
      (await wecom.deliver(callbackUrl, textMessage(`伪造 ${tok}`), { token: 'notTheToken' }))
        .status,
    ).toBe(401);
    expect(
      (await wecom.deliver(callbackUrl, textMessage(`冒充 ${tok}`), { corpId: 'wwSomeOtherCorp' }))
        .status,
    ).toBe(400);
    expect(await stored(`%${tok}%`)).toEqual([]);
  });

  it('stores and answers a message WeCom posts again once', async () => {
    const tok = token();
    const message = textMessage(`只一次 ${tok}`);
    await wecom.deliver(callbackUrl, message);
    await answered(tok);
    expect((await wecom.deliver(callbackUrl, message)).status).toBe(200);
    const next = token();
    await wecom.deliver(callbackUrl, textMessage(`然后 ${next}`));
    await answered(next);
    expect(answersTo(tok)).toHaveLength(1);
    expect(await stored(`%${tok}%`)).toHaveLength(1);
  });

  it('sends a 5,000-character Chinese reply in order, each message within WeCom’s 2048 bytes', async () => {
    const before = toUser(LIU).length;
    await wecom.deliver(callbackUrl, textMessage('请给一个长回复'));
    const chunks = await waitFor(
      'the whole long reply',
      () => {
        const texts = toUser(LIU).slice(before).map(textOf);
        return texts.join('') === LONG_CHINESE && texts;
      },
      30_000,
    );
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(2048);
      expect(chunk.isWellFormed()).toBe(true);
      expect(chunk.endsWith('。')).toBe(true);
    }
  });

  it('skips a malformed message with a warning, answers the callback, and goes on', async () => {
    const broken = messageXml({
      ToUserName: CORP.corpId,
      FromUserName: LIU,
      MsgType: 'text',
      Content: 'no id',
      AgentID: Number(CORP.agentId),
    });
    expect((await wecom.deliver(callbackUrl, broken)).status).toBe(200);
    const tok = token();
    await wecom.deliver(callbackUrl, textMessage(`还在 ${tok}`));
    await answered(tok);
    await waitFor('the warning', () =>
      gateway
        .logs()
        .some((l) => l.level === 40 && String(l.msg).includes('malformed wecom message: no MsgId')),
    );
  });

  it('waits out WeCom’s frequency limit and sends the reply once', async () => {
    wecom.rateLimitNext(2);
    const tok = token();
    await wecom.deliver(callbackUrl, textMessage(`限流 ${tok}`));
    await answered(tok);
    expect(answersTo(tok)).toHaveLength(1);
  });
});
