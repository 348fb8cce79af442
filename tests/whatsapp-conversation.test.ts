import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeWhatsApp,
  postSignedWebhook,
  startFakeWhatsApp,
} from './support/fake-whatsapp/fake-whatsapp.ts';
import {
  ALICE,
  BOB,
  DISPLAY_NUMBER,
  GROUP_ID,
  PHONE_NUMBER_ID,
  statusUpdate,
  textMessage,
} from './support/fake-whatsapp/whatsapp-payloads.ts';
import { freePort } from './support/free-port.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { LONG_ECHO_REQUEST, LONG_LINES, longLinesIn } from './support/long-reply.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { withoutTimes } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';

const ACCESS_TOKEN = 'EAAGm0PX4ZCpsBAconversation0123456789';
const APP_SECRET = '8f742231b10e8888abcd99aabbcc85a5';
const VERIFY_TOKEN = 'conversation-verify-token';
const OTHER_GROUP = 'Y2FwaV9ncm91cDpvdGhlcmdyb3VwMTIz';
const signed = { secret: APP_SECRET };

let h: PipelineHarness;
let wa: FakeWhatsApp;
let gateway: GridbotProcess;
let webhookUrl: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  wa = await startFakeWhatsApp({ accessToken: ACCESS_TOKEN });
  await registerThread(h.db.db, { jid: `whatsapp:g.${GROUP_ID}`, title: 'the team' });
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}/whatsapp/webhook`;
  gateway = await h.start(['gateway', '--channel', 'whatsapp'], {
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_GRAPH_URL: wa.graphUrl,
    WHATSAPP_ALLOWED_USERS: `+${ALICE.waId},+${BOB.waId}`,
    WHATSAPP_REENGAGE_TEMPLATE: 'hello_again:en_US',
    HEALTH_PORT: String(port),
  });
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
  await wa?.close();
});

const sentTo = (to: string) => wa.sent.filter((m) => m.to === to && m.type !== 'template');

async function replies(to: string, count: number) {
  return waitFor(
    `${count} replies to ${to}`,
    () => sentTo(to).length >= count && sentTo(to),
    20_000,
  );
}

/** Posts a signed webhook and expects Meta's 200 (given only once it was committed). */
async function deliver(body: unknown): Promise<void> {
  const res = await postSignedWebhook(webhookUrl, body, signed);
  expect(res.status).toBe(200);
}

/** What people wrote that was stored (the assistant's replies echo it, and do not count). */
async function storedLike(pattern: string) {
  return h.db.db
    .selectFrom('messages')
    .select(['id', 'content'])
    .where('role', '=', 'user')
    .where('content', 'like', pattern)
    .execute();
}

async function outboxOf(platformMessageId: string) {
  const rows = await h.db.db.selectFrom('outbox').selectAll().execute();
  return rows.find((row) => (row.platform_message_ids as string[]).includes(platformMessageId));
}

describe('a conversation over WhatsApp, through real gateway and worker processes', () => {
  it('answers Meta’s webhook verification with the challenge', async () => {
    const ok = await fetch(
      `${webhookUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=84213`,
    );
    expect([ok.status, await ok.text()]).toEqual([200, '84213']);
    const wrong = await fetch(
      `${webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    );
    expect(wrong.status).toBe(403);
  });

  it('answers a direct message from an allowed number without a trigger', async () => {
    await deliver(textMessage('hello from my phone'));
    const [reply] = await replies(ALICE.waId, 1);
    expect(withoutTimes(reply!.text)).toContain('hello from my phone');
    expect(reply!.recipientType).toBe('individual');
    expect(reply!.body.text).toMatchObject({ preview_url: false });
  });

  it('gives an unknown number a pairing code, keeps nothing it said, and answers it once approved', async () => {
    const erin = { waId: '33612345678', name: 'Erin' };
    await deliver(textMessage('hello? who is this', { from: erin }));
    const [prompt] = await replies(erin.waId, 1);
    expect(prompt!.text).toContain("Hi Erin! I don't know you yet.");
    const code = /Your pairing code is ([A-Z2-9]{6})/.exec(prompt!.text)?.[1];
    expect(code).toBeDefined();
    expect(await storedLike('%who is this%')).toEqual([]);
    const approved = await h.cli(['pairing', 'approve', code!]);
    expect(approved.output).toContain(`Approved Erin (whatsapp:${erin.waId})`);
    await deliver(textMessage('now do you know me?', { from: erin }));
    const all = await replies(erin.waId, 2);
    expect(withoutTimes(all[1]!.text)).toContain('[Erin] now do you know me?');
    expect(all[1]!.text).not.toContain('who is this');
  });

  it('answers "@Andy hi" and an @-mention of the business number in a registered group', async () => {
    await deliver(textMessage('@Andy hi team', { groupId: GROUP_ID }));
    const [first] = await replies(GROUP_ID, 1);
    expect(first!.recipientType).toBe('group');
    expect(withoutTimes(first!.text)).toContain('[Alice] @Andy hi team');
    await deliver(
      textMessage(`@${DISPLAY_NUMBER} are you there?`, { groupId: GROUP_ID, from: BOB }),
    );
    const all = await replies(GROUP_ID, 2);
    expect(all[1]!.text).toContain('are you there?');
  });

  it('does not answer an unregistered group and keeps none of its text', async () => {
    await deliver(textMessage('@Andy secret whatsapp plans', { groupId: OTHER_GROUP }));
    // The webhook was answered 200, so ingress has committed what it keeps.
    const thread = await h.db.db
      .selectFrom('threads')
      .selectAll()
      .where('jid', '=', `whatsapp:g.${OTHER_GROUP}`)
      .executeTakeFirst();
    expect(thread?.registered).toBe(false);
    expect(await storedLike('%secret whatsapp%')).toEqual([]);
    expect(sentTo(OTHER_GROUP)).toEqual([]);
  });

  it('stores and answers a webhook delivered twice once', async () => {
    const before = sentTo(GROUP_ID).length;
    const body = textMessage('@Andy only once please', { groupId: GROUP_ID });
    await deliver(body);
    await replies(GROUP_ID, before + 1);
    await deliver(body);
    // A later message's reply comes after any reply the repeat would have caused.
    await deliver(textMessage('@Andy and the next one', { groupId: GROUP_ID }));
    const all = await replies(GROUP_ID, before + 2);
    expect(all.at(-1)!.text).toContain('and the next one');
    expect(sentTo(GROUP_ID)).toHaveLength(before + 2);
    expect(await storedLike('@Andy only once please')).toHaveLength(1);
  });

  it('sends a 10,000-character reply in order, in chunks of at most 4096 characters', async () => {
    const before = sentTo(GROUP_ID).length;
    await deliver(textMessage(LONG_ECHO_REQUEST, { groupId: GROUP_ID }));
    const chunks = await waitFor(
      'the chunks',
      () => {
        const all = sentTo(GROUP_ID).slice(before);
        return all.some((m) => m.text.includes('the end')) && all;
      },
      20_000,
    );
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(4096);
    expect(longLinesIn(chunks.map((c) => c.text))).toEqual(LONG_LINES);
  });

  it('records receipts on the outbox row: delivered, then read, never back', async () => {
    const reply = sentTo(ALICE.waId)[0]!;
    await deliver(statusUpdate(reply.id, 'read'));
    await deliver(statusUpdate(reply.id, 'delivered'));
    expect(await outboxOf(reply.id)).toMatchObject({
      delivery_status: 'read',
      delivery_error: null,
    });
  });

  it('outside the 24-hour window, fails the reply with the reason and sends the template instead', async () => {
    wa.closedWindows.add(BOB.waId);
    await deliver(textMessage('are you still there after two days?', { from: BOB }));
    const row = await waitFor(
      'the reply failed',
      async () => {
        const rows = await h.db.db
          .selectFrom('outbox')
          .selectAll()
          .where('jid', '=', `whatsapp:${BOB.waId}`)
          .where('status', '=', 'failed')
          .execute();
        return rows[0];
      },
      20_000,
    );
    expect(row.error).toMatch(/24 hours/);
    expect(wa.sent.filter((m) => m.to === BOB.waId).map((m) => [m.type, m.text])).toEqual([
      ['template', 'hello_again'],
    ]);
    expect(gateway.logs().some((l) => String(l.msg).includes('re-engagement template'))).toBe(true);
  });

  it('records a failed receipt with its reason', async () => {
    const reply = sentTo(GROUP_ID)[0]!;
    await deliver(
      statusUpdate(reply.id, 'failed', GROUP_ID, [
        { code: 131026, title: 'Message undeliverable' },
      ]),
    );
    const row = await outboxOf(reply.id);
    expect(row).toMatchObject({ delivery_status: 'failed' });
    expect(row?.delivery_error).toContain('Message undeliverable (code 131026)');
  });

  it('refuses forged and unsigned webhooks, storing nothing of them', async () => {
    const body = textMessage('@Andy forged plans', { groupId: GROUP_ID });
    expect(
      (await postSignedWebhook(webhookUrl, body, { secret: 'wrong-secret-000000' })).status,
    ).toBe(401);
    expect((await postSignedWebhook(webhookUrl, body, 'unsigned')).status).toBe(401);
    expect(await storedLike('%forged plans%')).toEqual([]);
  });

  it('skips a malformed entry with a warning, and keeps answering', async () => {
    const before = sentTo(GROUP_ID).length;
    const bad = textMessage('@Andy from nobody', { groupId: GROUP_ID });
    const value = (
      bad.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[]
    )[0]!.changes[0]!.value;
    delete value.messages[0]!.from;
    await deliver(bad);
    await deliver(textMessage('@Andy after the bad one', { groupId: GROUP_ID }));
    const all = await replies(GROUP_ID, before + 1);
    expect(all.at(-1)!.text).toContain('after the bad one');
    expect(
      gateway.logs().some((l) => String(l.msg).startsWith('skipping malformed whatsapp entry')),
    ).toBe(true);
    expect(await storedLike('%from nobody%')).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.output()).not.toContain(ACCESS_TOKEN);
    expect(gateway.output()).not.toContain(APP_SECRET);
  });

  it('refuses to start without WHATSAPP_APP_SECRET, naming it', async () => {
    const result = await h.cli(['gateway', '--channel', 'whatsapp'], {
      WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_GRAPH_URL: wa.graphUrl,
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('WHATSAPP_APP_SECRET is not set');
  });
});
