import { asJid } from '@gridbot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { type FakeWeCom, startFakeWeCom } from '../../../../tests/support/fake-wecom/fake-wecom.ts';
import {
  CALLBACK,
  CORP,
  GROUP_CHAT,
  LIU,
} from '../../../../tests/support/fake-wecom/wecom-payloads.ts';
import { WeComAdapter } from './wecom-adapter.ts';
import { appChatJid, userJid } from './wecom-ids.ts';

let fake: FakeWeCom;
let adapter: WeComAdapter;

beforeEach(async () => {
  fake = await startFakeWeCom();
  adapter = new WeComAdapter({
    corpId: CORP.corpId,
    agentId: CORP.agentId,
    secret: CORP.secret,
    token: CALLBACK.token,
    encodingAESKey: CALLBACK.encodingAESKey,
    apiBase: fake.apiBase,
    logger: captureLogger().logger,
  });
  await adapter.start(async () => {});
});

afterEach(async () => {
  await adapter.stop();
  await fake.close();
});

const actions = [
  { id: 'approve:3', label: 'Approve', style: 'primary' as const },
  { id: 'reject:3', label: 'Reject', style: 'danger' as const },
];

describe('WeComAdapter', () => {
  it('sends to a group chat the app made through appchat/send, with no card there (groups take none)', async () => {
    const id = await adapter.sendText(appChatJid(GROUP_CHAT), '**请审批** #3', {
      replyTo: null,
      actions,
    });
    expect(id).toMatch(/\S/);
    expect(fake.sent).toEqual([
      expect.objectContaining({
        to: { kind: 'chat', chatId: GROUP_CHAT },
        msgtype: 'markdown',
        body: expect.objectContaining({ markdown: { content: '**请审批** #3' } }),
      }),
    ]);
  });

  it('puts buttons on a template card in a person’s chat, and updates the card once pressed', async () => {
    const taskId = await adapter.sendText(userJid(LIU), 'Approve #3?', { replyTo: null, actions });
    const card = fake.sent[0]?.body.template_card as Record<string, unknown>;
    expect(card).toMatchObject({ card_type: 'button_interaction', task_id: taskId });
    await adapter.answerAction(
      {
        kind: 'action',
        channel: 'wecom',
        chat: { jid: userJid(LIU), platformChatId: LIU, title: null, isGroup: false },
        sender: { platformUserId: LIU, name: LIU, username: null, isBot: false },
        actionId: `${taskId}:1`,
        actionToken: 'rc-1',
        platformMessageId: taskId,
        data: 'approve:3',
      },
      { text: 'Approved', edit: 'Approved by LiuQi' },
    );
    expect(fake.cardUpdates).toEqual([
      expect.objectContaining({
        userids: [LIU],
        response_code: 'rc-1',
        button: { replace_name: 'Approved by LiuQi' },
      }),
    ]);
  });

  it('downloads a file a person sent by its MediaId, and refuses a JID that names nobody', async () => {
    fake.addMedia('media-1', new Uint8Array([1, 2, 3]), 'image/png');
    const file = await adapter.fetchAttachment({
      kind: 'image',
      platformFileId: 'media-1',
      mimeType: null,
      fileName: null,
      width: null,
      height: null,
      sizeBytes: null,
    });
    expect(file).toEqual({ data: new Uint8Array([1, 2, 3]), mimeType: 'image/png' });
    await expect(adapter.sendText(asJid('wecom:chat'), 'x', { replyTo: null })).rejects.toThrow(
      /names no WeCom user/,
    );
  });

  it('fails to start with WeCom’s reason when the secret is wrong', async () => {
    const wrong = new WeComAdapter({
      corpId: CORP.corpId,
      agentId: CORP.agentId,
      secret: 'not-the-secret-0123',
      token: CALLBACK.token,
      encodingAESKey: CALLBACK.encodingAESKey,
      apiBase: fake.apiBase,
      logger: captureLogger().logger,
    });
    await expect(wrong.start(async () => {})).rejects.toThrow(
      /40001: invalid credential.*WECOM_CORP_ID and WECOM_SECRET/,
    );
  });
});
