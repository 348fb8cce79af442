import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  asJid,
  type InboundEvent,
  PlatformRateLimitError,
  PlatformRejectedError,
} from '@gridbot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import {
  type FakeWhatsApp,
  postSignedWebhook,
  startFakeWhatsApp,
} from '../../../../tests/support/fake-whatsapp/fake-whatsapp.ts';
import {
  ALICE,
  PHONE_NUMBER_ID,
  statusUpdate,
  textMessage,
} from '../../../../tests/support/fake-whatsapp/whatsapp-payloads.ts';
import { WhatsAppAdapter, type WhatsAppAdapterOptions } from './whatsapp-adapter.ts';

const ACCESS_TOKEN = 'EAAGadapter0accessTOKEN1234567890';
const APP_SECRET = 'adapter-app-secret';
const VERIFY_TOKEN = 'adapter-verify-token';
const aliceJid = asJid(`whatsapp:${ALICE.waId}`);

describe('WhatsAppAdapter', () => {
  let fake: FakeWhatsApp;
  let adapter: WhatsAppAdapter;
  let server: Server;
  let webhookUrl: string;
  let events: InboundEvent[];
  let failIngress: boolean;
  let log: ReturnType<typeof captureLogger>;

  async function startAdapter(extra: Partial<WhatsAppAdapterOptions> = {}): Promise<void> {
    adapter = new WhatsAppAdapter({
      accessToken: ACCESS_TOKEN,
      phoneNumberId: PHONE_NUMBER_ID,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphUrl: fake.graphUrl,
      logger: log.logger,
      rateLimitPauseMs: 1500,
      ...extra,
    });
    await adapter.start(async (event) => {
      if (failIngress) throw new Error('database is away');
      events.push(event);
    });
    const handler = adapter.webhook.handler;
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${adapter.webhook.path}`;
  }

  beforeEach(async () => {
    fake = await startFakeWhatsApp({ accessToken: ACCESS_TOKEN });
    events = [];
    failIngress = false;
    log = captureLogger();
  });

  afterEach(async () => {
    await adapter?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await fake.close();
  });

  it('answers Meta’s verification with the challenge only for the right verify token', async () => {
    await startAdapter();
    const verify = (token: string) =>
      fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
    const ok = await verify(VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await verify('guess')).status).toBe(403);
  });

  it('refuses an unsigned or forged webhook and commits nothing from it', async () => {
    await startAdapter();
    const body = textMessage('let me in');
    expect((await postSignedWebhook(webhookUrl, body, 'unsigned')).status).toBe(401);
    expect((await postSignedWebhook(webhookUrl, body, { secret: 'not-the-secret' })).status).toBe(
      401,
    );
    // A correctly signed body altered on the way fails too.
    const tampered = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
      },
      body: JSON.stringify(body),
    });
    expect(tampered.status).toBe(401);
    expect(events).toEqual([]);
    expect(log.records.some((r) => String(r.msg).includes('wrong signature'))).toBe(true);
    const signed = await postSignedWebhook(webhookUrl, body, { secret: APP_SECRET });
    expect(signed.status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('answers 500 while ingress fails, so Meta redelivers, and 400 to malformed JSON', async () => {
    await startAdapter();
    failIngress = true;
    const body = textMessage('are you there?');
    expect((await postSignedWebhook(webhookUrl, body, { secret: APP_SECRET })).status).toBe(500);
    failIngress = false;
    expect((await postSignedWebhook(webhookUrl, body, { secret: APP_SECRET })).status).toBe(200);
    expect(events).toHaveLength(1);
    expect((await postSignedWebhook(webhookUrl, '{"object":', { secret: APP_SECRET })).status).toBe(
      400,
    );
  });

  it('refuses to start with a token the Graph API rejects, saying which settings to check', async () => {
    adapter = new WhatsAppAdapter({
      accessToken: 'EAAGwrong0accessTOKEN1234567890',
      phoneNumberId: PHONE_NUMBER_ID,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphUrl: fake.graphUrl,
      logger: log.logger,
    });
    await expect(adapter.start(async () => {})).rejects.toThrow(
      /Invalid OAuth access token.*WHATSAPP_ACCESS_TOKEN/,
    );
  });

  it('records receipts as delivery events, with the reason of a failure', async () => {
    await startAdapter();
    await adapter.handleUpdate(statusUpdate('wamid.OUT1', 'delivered'));
    await adapter.handleUpdate(
      statusUpdate('wamid.OUT2', 'failed', ALICE.waId, [
        { code: 131026, title: 'Message undeliverable' },
      ]),
    );
    expect(events).toMatchObject([
      { kind: 'delivery', platformMessageId: 'wamid.OUT1', status: 'delivered', error: null },
      {
        kind: 'delivery',
        platformMessageId: 'wamid.OUT2',
        status: 'failed',
        error: expect.stringContaining('Message undeliverable'),
        chat: { jid: aliceJid },
      },
    ]);
    expect(fake.sent).toEqual([]);
  });

  it('sends the re-engagement template once when the 24-hour window closed, and tells the operator', async () => {
    await startAdapter({ reengageTemplate: { name: 'hello_again', language: 'en_US' } });
    fake.closedWindows.add(ALICE.waId);
    const refused = adapter.sendText(aliceJid, 'the answer', { replyTo: null });
    await expect(refused).rejects.toBeInstanceOf(PlatformRejectedError);
    await expect(refused).rejects.toThrow(/24 hours.*WHATSAPP_REENGAGE_TEMPLATE/);
    await expect(adapter.sendText(aliceJid, 'another', { replyTo: null })).rejects.toThrow(
      PlatformRejectedError,
    );
    // The same closure reported later by a failed receipt sends no second template within the hour.
    await adapter.handleUpdate(
      statusUpdate('wamid.OUT3', 'failed', ALICE.waId, [
        { code: 131047, title: 'Re-engagement message' },
      ]),
    );
    expect(fake.sent.map((m) => [m.type, m.text, m.to])).toEqual([
      ['template', 'hello_again', ALICE.waId],
    ]);
    expect(fake.sent[0]?.body.template).toEqual({
      name: 'hello_again',
      language: { code: 'en_US' },
    });
  });

  it('without a template, a closed window fails the reply with a reason and sends nothing else', async () => {
    await startAdapter();
    fake.closedWindows.add(ALICE.waId);
    await expect(adapter.sendText(aliceJid, 'the answer', { replyTo: null })).rejects.toThrow(
      PlatformRejectedError,
    );
    expect(fake.sent).toEqual([]);
    expect(log.records.some((r) => String(r.msg).includes('set WHATSAPP_REENGAGE_TEMPLATE'))).toBe(
      true,
    );
  });

  it('maps WhatsApp’s rate-limit codes to a pause of the outbound queue', async () => {
    await startAdapter();
    fake.failNextSends(
      { status: 400, code: 130429, message: 'Rate limit hit' },
      {
        status: 400,
        code: 131056,
        message: '(Business Account, Consumer Account) pair rate limit hit',
      },
      { status: 500, code: 131000, message: 'Something went wrong' },
    );
    for (const _ of [1, 2]) {
      const error = await adapter.sendText(aliceJid, 'hi', { replyTo: null }).catch((e) => e);
      expect(error).toBeInstanceOf(PlatformRateLimitError);
      expect((error as PlatformRateLimitError).retryAfterMs).toBe(1500);
    }
    const transient = await adapter.sendText(aliceJid, 'hi', { replyTo: null }).catch((e) => e);
    expect(transient).not.toBeInstanceOf(PlatformRateLimitError);
    expect(transient).not.toBeInstanceOf(PlatformRejectedError);
    expect(String(transient)).toMatch(/Something went wrong \(code 131000\)/);
  });

  it('sends a long chunk with buttons as the text, then the buttons under a short line', async () => {
    await startAdapter();
    const text = 'x'.repeat(2000);
    const id = await adapter.sendText(aliceJid, text, {
      replyTo: null,
      actions: [{ id: 'approve:3', label: 'Approve this request now' }],
    });
    expect(fake.sent.map((m) => [m.type, m.text.length, m.buttons])).toEqual([
      ['text', 2000, []],
      ['interactive', 'Your choice:'.length, ['gridbot:approve:3']],
    ]);
    expect(id).toBe(fake.sent[1]?.id);
    expect(
      (fake.sent[1]!.body.interactive as { action: { buttons: { reply: { title: string } }[] } })
        .action.buttons[0]?.reply.title,
    ).toBe('Approve this request');
  });

  it('shows typing on the chat’s last message, and nothing in a chat it has not heard from', async () => {
    await startAdapter();
    await adapter.typing.show(aliceJid);
    expect(fake.reads).toEqual([]);
    await adapter.handleUpdate(textMessage('first', { id: 'wamid.IN1' }));
    await adapter.handleUpdate(textMessage('second', { id: 'wamid.IN2' }));
    await adapter.typing.show(aliceJid);
    expect(fake.reads.map((r) => [r.messageId, r.typing])).toEqual([['wamid.IN2', true]]);
  });

  it('downloads an inbound file by its media id', async () => {
    await startAdapter();
    fake.media.set('1013859600285441', {
      data: Buffer.from('%PDF-1.7 fake'),
      mimeType: 'application/pdf',
    });
    const file = await adapter.downloadMedia('1013859600285441');
    expect(Buffer.from(file.data).toString()).toBe('%PDF-1.7 fake');
    expect(file.mimeType).toBe('application/pdf');
  });

  it('normalizes an image with its caption as an attachment reference', async () => {
    await startAdapter();
    const { inboundMessage } = await import(
      '../../../../tests/support/fake-whatsapp/whatsapp-payloads.ts'
    );
    await adapter.handleUpdate(
      inboundMessage('image', {
        id: '2754859441498128',
        mime_type: 'image/jpeg',
        caption: 'our whiteboard',
      }),
    );
    expect(events).toMatchObject([
      {
        kind: 'message',
        text: 'our whiteboard',
        chat: { jid: aliceJid, isGroup: false, title: ALICE.name },
        sender: { platformUserId: ALICE.waId, name: ALICE.name },
        attachments: [
          { kind: 'image', platformFileId: '2754859441498128', mimeType: 'image/jpeg' },
        ],
      },
    ]);
  });
});
