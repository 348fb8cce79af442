/**
 * An approval request carries Approve / Reject buttons. A press by the person who asked
 * decides it (the next run receives the decision, the request shows who decided and loses
 * its buttons); a press by another member is refused and the approval stays pending; a press
 * on a request decided already says so and changes nothing. `/approve <id>` keeps working.
 * Telegram (inline keyboard, callback_query), Discord (components, interactions) and the
 * web chat (its API and event stream, as the page uses them) share one worker.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { ALICE, BOB, CHANNELS, messagePayload } from './support/fake-discord/discord-payloads.ts';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/fake-discord.ts';
import { freePort } from './support/free-port.ts';
import { REPO_ROOT } from './support/gridbot-process.ts';
import { HARNESS_DASHBOARD_TOKEN, PipelineHarness } from './support/pipeline-harness.ts';
import type { BotMessage, ChatSpec } from './support/telegram-fake.ts';
import { waitFor } from './support/wait-for.ts';
import { watchWebChat } from './support/web-chat-events.ts';

const group = { chatId: -960700, type: 'group', title: 'Ops' } as const;
const requester: ChatSpec = { ...group, userId: 995, firstName: 'Ola' };
const member: ChatSpec = { ...group, userId: 996, firstName: 'Bea' };
const DISCORD_TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDA0Mg.fake.discord-token-for-gridbot-tests';
let h: PipelineHarness;
let discord: FakeDiscord;
let dashboard: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  discord = await startFakeDiscord({ token: DISCORD_TOKEN, heartbeatIntervalMs: 1_000 });
  await registerThread(h.db.db, { jid: `telegram:${group.chatId}` });
  await registerThread(h.db.db, { jid: `discord:${CHANNELS.text.id}`, title: 'general' });
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['gateway', '--channel', 'discord'], {
    DISCORD_BOT_TOKEN: DISCORD_TOKEN,
    DISCORD_API_BASE: discord.apiBase,
  });
  const port = String(await freePort());
  await h.start(['dashboard'], { HEALTH_PORT: port });
  dashboard = `http://127.0.0.1:${port}`;
  await h.start(['worker'], {
    AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/ask-approval.mjs`,
  });
});

afterAll(async () => {
  await h?.close();
  await discord?.close();
});

const messages = () => h.telegram.botMessages(group.chatId);
const nthMessage = (count: number): Promise<BotMessage> =>
  waitFor(`bot message ${count}`, () => messages()[count - 1]);
const answerTo = (queryId: string) =>
  waitFor(`the answer to press ${queryId}`, () => h.telegram.callbackAnswer(queryId));

const statusOf = (id: number) => h.approvalStatus(id);

describe('approval buttons on Telegram', () => {
  it('are refused to another member, decide for the requester, and say when decided already', async () => {
    await h.telegram.say(requester, '@Andy clean up the logs');
    const request = await nthMessage(1);
    expect(request.text).toBe(
      'Approval needed (#1): delete the old logs\nReply /approve 1 or /reject 1.',
    );
    expect(request.buttons).toEqual([
      { text: 'Approve', data: 'approve:1' },
      { text: 'Reject', data: 'reject:1' },
    ]);

    const refused = await h.telegram.press(member, request, 'approve:1');
    expect((await answerTo(refused)).text).toBe(
      'Only the person who asked, or an admin, can decide approval #1.',
    );
    expect(await statusOf(1)).toBe('pending');
    expect(messages()[0]?.buttons).toHaveLength(2);

    const allowed = await h.telegram.press(requester, request, 'approve:1');
    expect((await answerTo(allowed)).text).toBe('Approved #1.');
    const edited = await waitFor(
      'the request to show who decided',
      () => messages()[0]?.buttons.length === 0 && messages()[0],
    );
    expect(edited.text).toBe('Approval #1: delete the old logs\nApproved by Ola.');
    expect(await statusOf(1)).toBe('approved');
    // The next run receives the decision.
    expect((await nthMessage(2)).text).toBe('decision #1: approved by telegram:995 (Ola)');

    const late = await h.telegram.press(requester, request, 'reject:1');
    expect((await answerTo(late)).text).toBe(
      'Approval #1 is no longer pending: it was approved by telegram:995 (Ola).',
    );
    expect(await statusOf(1)).toBe('approved');
    expect(messages()[0]?.text).toBe('Approval #1: delete the old logs\nApproved by Ola.');
    const audit = await h.db.db.selectFrom('audit_log').select(['action', 'target']).execute();
    expect(audit).toEqual([{ action: 'approval.approved', target: 'approval:1' }]);
  });

  it('a press redelivered (its update not confirmed) decides once', async () => {
    await h.telegram.say(requester, '@Andy clean up again');
    const request = await nthMessage(3);
    expect(request.buttons.map((b) => b.data)).toEqual(['approve:2', 'reject:2']);
    const pressed = await h.telegram.press(requester, request, 'reject:2');
    expect((await answerTo(pressed)).text).toBe('Rejected #2.');
    expect((await nthMessage(4)).text).toBe('decision #2: rejected by telegram:995 (Ola)');
    h.telegram.redeliverAll();
    await h.telegram.say(requester, '/approve 2');
    expect((await nthMessage(5)).text).toBe(
      'Approval #2 is no longer pending: it was rejected by telegram:995 (Ola).',
    );
    expect(messages()).toHaveLength(5);
    expect(messages()[2]?.text).toBe('Approval #2: delete the old logs\nRejected by Ola.');
    const decided = await h.db.db
      .selectFrom('audit_log')
      .select('action')
      .where('target', '=', 'approval:2')
      .execute();
    expect(decided).toEqual([{ action: 'approval.rejected' }]);
  });
});

describe('approval buttons on Discord', () => {
  const sent = () => discord.sent.filter((m) => m.channelId === CHANNELS.text.id);
  const nthSent = (count: number) => waitFor(`discord message ${count}`, () => sent()[count - 1]);
  const callbackTo = (id: string) =>
    waitFor(`the callback of interaction ${id}`, () =>
      discord.callbacks.find((c) => c.interactionId === id),
    );

  it('refuse another member ephemerally, and update the request for the requester', async () => {
    discord.dispatchMessage(messagePayload({ content: '@Andy clean up the logs', author: ALICE }));
    const request = await nthSent(1);
    const id = /^Approval needed \(#(\d+)\)/.exec(request.content)?.[1];
    expect(id).toBeDefined();
    expect(request.body.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 1, label: 'Approve', custom_id: `gridbot:approve:${id}` },
          { type: 2, style: 4, label: 'Reject', custom_id: `gridbot:reject:${id}` },
        ],
      },
    ]);

    const refused = discord.press(request, `gridbot:approve:${id}`, BOB);
    expect(await callbackTo(refused)).toMatchObject({
      type: 4,
      data: {
        content: `Only the person who asked, or an admin, can decide approval #${id}.`,
        flags: 64,
      },
    });
    expect(await statusOf(Number(id))).toBe('pending');

    const allowed = discord.press(request, `gridbot:reject:${id}`, ALICE);
    expect(await callbackTo(allowed)).toMatchObject({ type: 7, data: { components: [] } });
    expect(request.content).toBe(`Approval #${id}: delete the old logs\nRejected by Alice.`);
    expect(request.body.components).toEqual([]);
    expect(await statusOf(Number(id))).toBe('rejected');
    // The next run receives the decision.
    expect((await nthSent(2)).content).toBe(
      `decision #${id}: rejected by discord:${ALICE.id} (Alice)`,
    );

    const late = discord.press(request, `gridbot:approve:${id}`, ALICE);
    expect(await callbackTo(late)).toMatchObject({
      type: 4,
      data: {
        content: `Approval #${id} is no longer pending: it was rejected by discord:${ALICE.id} (Alice).`,
        flags: 64,
      },
    });
    expect(await statusOf(Number(id))).toBe('rejected');
  });
});

interface WebReply {
  messageId: string;
  text: string;
  actions?: { id: string; label: string }[];
  answer?: { text: string; edit: string | null };
}

/** The web chat's `reply` events, in order, as the page reads them. */
async function watchReplies(chatId: string) {
  const live = await watchWebChat(dashboard, chatId);
  return {
    get replies(): WebReply[] {
      return live.events
        .filter((e) => e.event === 'reply')
        .map((e) => e.data as unknown as WebReply);
    },
    close: live.close,
  };
}

async function webHistory(chatId: string): Promise<{ ids: string[]; actions?: unknown[] }[]> {
  const response = await fetch(`${dashboard}/api/chat/${chatId}/messages`, {
    headers: { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` },
  });
  return ((await response.json()) as { entries: { ids: string[]; actions?: unknown[] }[] }).entries;
}

async function webPost(path: string, body: unknown): Promise<number> {
  const response = await fetch(`${dashboard}/api/chat/${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('approval buttons in the web chat', () => {
  it('decide on a press posted through the chat API, and say when decided already', async () => {
    const chat = await watchReplies('buttons');
    try {
      expect(await webPost('buttons/messages', { text: 'clean up the logs' })).toBe(202);
      const request = await waitFor('the request', () => chat.replies[0]);
      const id = /^Approval needed \(#(\d+)\)/.exec(request.text)?.[1];
      expect(request.actions?.map((a) => [a.id, a.label])).toEqual([
        [`approve:${id}`, 'Approve'],
        [`reject:${id}`, 'Reject'],
      ]);
      // A reload shows the buttons of a pending request.
      const before = await webHistory('buttons');
      expect(before.find((e) => e.ids.includes(request.messageId))?.actions).toHaveLength(2);
      const press = { messageId: request.messageId, data: `approve:${id}` };
      expect(await webPost('buttons/actions', press)).toBe(202);
      const answered = await waitFor('the answer', () => chat.replies.find((r) => r.answer));
      expect(answered).toMatchObject({
        messageId: request.messageId,
        answer: {
          text: `Approved #${id}.`,
          edit: `Approval #${id}: delete the old logs\nApproved by Operator.`,
        },
      });
      const decision = await waitFor('the decision', () =>
        chat.replies.find((r) => r.text.startsWith('decision')),
      );
      expect(decision.text).toBe(`decision #${id}: approved by web:operator (Operator)`);
      // …and none once it is decided.
      const after = await webHistory('buttons');
      expect(after.find((e) => e.ids.includes(request.messageId))?.actions).toBeUndefined();

      expect(await webPost('buttons/actions', press)).toBe(202);
      const again = await waitFor(
        'the second answer',
        () => chat.replies.filter((r) => r.answer)[1],
      );
      expect(again.answer).toMatchObject({
        text: `Approval #${id} is no longer pending: it was approved by web:operator (Operator).`,
        edit: null,
      });
      expect(await statusOf(Number(id))).toBe('approved');
      expect(await webPost('buttons/actions', { messageId: '', data: 'x' })).toBe(400);
    } finally {
      chat.close();
    }
  });
});

describe('approval buttons on the web chat page', () => {
  it('approve with a click: the request shows who decided, and the decision follows', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${dashboard}/login`);
      await page.fill('#token', HARNESS_DASHBOARD_TOKEN);
      await page.click('button[type=submit]');
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      await page.goto(`${dashboard}/chat?chat=buttons-page`);
      await page.fill('#chat-input', 'clean up the logs');
      await page.keyboard.press('Enter');
      const request = page.locator('.chat-message.assistant', { hasText: 'Approval needed' });
      await request.locator('button.chat-action').first().waitFor({ timeout: 30_000 });
      expect(await request.locator('button.chat-action').allTextContents()).toEqual([
        'Approve',
        'Reject',
      ]);
      const id = /#(\d+)/.exec((await request.textContent()) ?? '')?.[1];
      await request.locator('button.chat-action', { hasText: 'Approve' }).click();
      const decided = page.locator('.chat-message.assistant', { hasText: 'Approved by Operator' });
      await decided.waitFor({ timeout: 30_000 });
      expect(await decided.textContent()).toBe(
        `Approval #${id}: delete the old logs\nApproved by Operator.`,
      );
      expect(await page.locator('button.chat-action').count()).toBe(0);
      expect(await page.locator('#chat-status').textContent()).toBe(`Approved #${id}.`);
      await page
        .locator('.chat-message.assistant', { hasText: `decision #${id}: approved` })
        .waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
