/**
 * Malformed platform updates POSTed to a real Telegram gateway (webhook mode): each is
 * answered as documented (200 for an update Telegram should not resend, 4xx for a request
 * that is not an update), logged with the reason, and neither crashes the gateway nor
 * blocks the chat: a good message sent after all of them is answered.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosPlatform, WEBHOOK_PATH, WEBHOOK_SECRET } from '../chaos/chaos-platform.ts';
import { freePort } from '../support/free-port.ts';
import type { GridbotProcess } from '../support/gridbot-process.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import { waitFor } from '../support/wait-for.ts';

const CHAT = -520100;
let h: PipelineHarness;
let platform: ChaosPlatform;
let gateway: GridbotProcess;
let webhook: string;

beforeAll(async () => {
  h = await PipelineHarness.create();
  platform = await ChaosPlatform.start();
  await registerThread(h.db.db, { jid: `telegram:${CHAT}` });
  const port = await freePort();
  gateway = await h.start(['gateway', '--channel', 'telegram'], {
    ...platform.gatewayEnv(port),
    HEALTH_PORT: String(port),
  });
  webhook = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
  await h.start(['worker']);
});

afterAll(async () => {
  await h?.close();
  await platform?.close();
});

let updateId = 1_000;
const message = (fields: Record<string, unknown>) => ({
  update_id: ++updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: CHAT, type: 'group', title: 'Bad input' },
    from: { id: 77, is_bot: false, first_name: 'Mallory' },
    text: '@Andy hi',
    ...fields,
  },
});

function post(body: string | Buffer, secret = WEBHOOK_SECRET): Promise<Response> {
  return fetch(webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body,
  });
}

const CASES: Array<[string, () => string | Buffer, number, string]> = [
  [
    'an update without a message or any known kind',
    () => JSON.stringify({ update_id: ++updateId }),
    200,
    '',
  ],
  [
    'a message without a chat',
    () => JSON.stringify(message({ chat: undefined })),
    200,
    'skipping malformed telegram update',
  ],
  [
    'a chat id that is not a number',
    () => JSON.stringify(message({ chat: { id: 'abc', type: 'group' } })),
    200,
    'skipping malformed telegram update',
  ],
  [
    'text that is a number',
    () => JSON.stringify(message({ text: 42 })),
    200,
    'skipping malformed telegram update',
  ],
  [
    'an unknown chat type',
    () => JSON.stringify(message({ chat: { id: CHAT, type: 'hyperspace' } })),
    200,
    'skipping malformed telegram update',
  ],
  [
    'a date that is a string',
    () => JSON.stringify(message({ date: 'yesterday' })),
    200,
    'skipping malformed telegram update',
  ],
  ['an update that is an array', () => '[1,2,3]', 200, 'skipping malformed telegram update'],
  ['a body that is not JSON', () => '{"update_id": 1, "message": ', 400, 'malformed JSON body'],
  [
    'a body of invalid UTF-8',
    () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    200,
    'skipping malformed telegram update',
  ],
  ['a body over 1 MiB', () => JSON.stringify(message({ text: 'x'.repeat(1_100_000) })), 413, ''],
];

describe('malformed Telegram updates', () => {
  it.each(CASES)('%s: answered %#', async (_name, body, status, logged) => {
    const count = () => gateway.output().split(logged).length - 1;
    const before = count();
    const res = await post(body());
    await res.arrayBuffer();
    expect(res.status).toBe(status);
    // Logged with the reason, once per bad update.
    if (logged) await waitFor(`"${logged}" logged again`, () => count() > before, 5_000);
    expect(gateway.child.exitCode).toBeNull();
  });

  it('refuses a wrong secret token with 401 and stores nothing', async () => {
    const res = await post(JSON.stringify(message({ text: '@Andy forged' })), 'wrong-secret');
    expect(res.status).toBe(401);
    const rows = await h.db.db
      .selectFrom('messages')
      .select('id')
      .where('content', 'like', '%forged%')
      .execute();
    expect(rows).toEqual([]);
  });

  it('stores a huge text cut to the limit with a marker, and answers it', async () => {
    const res = await post(JSON.stringify(message({ text: `@Andy ${'y'.repeat(200_000)}` })));
    expect(res.status).toBe(200);
    const row = await waitFor('the huge message stored', () =>
      h.db.db
        .selectFrom('messages')
        .select('content')
        .where('content', 'like', '@Andy yyy%')
        .executeTakeFirst(),
    );
    expect(row.content.length).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(row.content.length).toBeLessThan(200_000);
  });

  it('after all of them, the gateway is up and a good message is answered', async () => {
    const before = platform.replies.length;
    const res = await post(JSON.stringify(message({ text: '@Andy still there?' })));
    expect(res.status).toBe(200);
    await waitFor(
      'the answer',
      () => platform.replies.slice(before).some((r) => r.text.includes('still there?')),
      20_000,
    );
    expect(gateway.child.exitCode).toBeNull();
  });
});
