import { TelegramAdapter } from '@gridbot/channels/telegram';
import { insertOutbox, registerThread, setOutboxPlaceholder } from '@gridbot/db';
import { PipelineQueues } from '@gridbot/queue';
import { createMetrics } from '@gridbot/service';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeBotApi,
  type FakeMethod,
  startFakeBotApi,
} from '../../../tests/support/fake-bot-api.ts';
import type { FormFile } from '../../../tests/support/multipart.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import {
  createTestTransport,
  TRANSPORT_KINDS,
  type TransportKind,
} from '../../../tests/support/test-transport.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { Egress } from './egress.ts';
import { PluginHost } from './plugins/plugin-host.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

/** Runs an Egress against a fake Bot API whose sendMessage is `sendMessage`. */
async function withEgress(
  kind: TransportKind,
  sendMessage: FakeMethod,
  body: (api: FakeBotApi, queues: PipelineQueues) => Promise<void>,
  { plugins, others = {} }: { plugins?: PluginHost; others?: Record<string, FakeMethod> } = {},
) {
  const api = await startFakeBotApi({ sendMessage, ...others });
  const logger = pino({ level: 'silent' });
  const { transport, prefix, close } = await createTestTransport(kind, t);
  const queues = new PipelineQueues({ transport, prefix });
  const adapter = new TelegramAdapter({
    token: '1:x',
    apiRoot: api.apiRoot,
    mode: 'polling',
    logger,
  });
  const egress = new Egress({
    db: t.db,
    adapter,
    queues,
    transport,
    logger,
    metrics: createMetrics('test'),
    ...(plugins && { plugins }),
  });
  egress.start();
  try {
    await body(api, queues);
  } finally {
    await egress.stop();
    await queues.close();
    await close();
    await api.close();
  }
}

let nextMessageId = 100;
const sent: FakeMethod = () => ({
  json: {
    ok: true,
    result: { message_id: nextMessageId++, date: 0, chat: { id: 1, type: 'group' } },
  },
});

async function outboxFor(jid: string, texts: string[]) {
  const thread = await registerThread(t.db, { jid });
  const rows = [];
  for (const text of texts) {
    rows.push(
      await insertOutbox(t.db, {
        threadId: thread.id,
        runId: null,
        channel: 'telegram',
        jid,
        text,
        replyTo: null,
      }),
    );
  }
  return rows;
}

/** Waits until egress marked the row sent. */
const rowSent = (id: number) =>
  waitFor(
    'the row sent',
    async () =>
      (await t.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirst())
        ?.status === 'sent',
    15_000,
  );

const sentTexts = (api: FakeBotApi) =>
  api.calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.body.text));

describe.each(TRANSPORT_KINDS)('Egress (queues on %s)', (kind) => {
  it('sends to several chats at once, yet keeps each chat’s replies in order', async () => {
    const slowChat = await outboxFor('telegram:-711', ['slow 1', 'slow 2', 'slow 3']);
    const fastChat = await outboxFor('telegram:-712', ['fast 1', 'fast 2']);
    await withEgress(
      kind,
      (body, all) => ({
        ...(sent(body, all) as { json: unknown }),
        // The first reply of the slow chat takes long at the platform.
        delayMs: body.text === 'slow 1' ? 400 : 0,
      }),
      async (api, queues) => {
        for (const row of [...slowChat, ...fastChat]) {
          await queues.enqueueOutbound('telegram', row.id, row.thread_id);
        }
        await waitFor('every reply sent', () => sentTexts(api).length === 5);
        const order = sentTexts(api);
        // The other chat did not wait behind the slow send...
        expect(order.indexOf('fast 2')).toBeLessThan(order.indexOf('slow 2'));
        // ...and each chat's replies left in the order they were committed.
        expect(order.filter((t) => t.startsWith('slow'))).toEqual(['slow 1', 'slow 2', 'slow 3']);
        expect(order.filter((t) => t.startsWith('fast'))).toEqual(['fast 1', 'fast 2']);
      },
    );
  });

  it('honours 429 retry_after by pausing the queue, then delivers everything in order', async () => {
    let calls = 0;
    const rows = await outboxFor('telegram:-701', ['first', 'second']);
    await withEgress(
      kind,
      (body, all) => {
        calls++;
        if (calls === 1) {
          return {
            status: 429,
            json: {
              ok: false,
              error_code: 429,
              description: 'Too Many Requests: retry after 1',
              parameters: { retry_after: 1 },
            },
          };
        }
        return sent(body, all);
      },
      async (api, queues) => {
        const started = Date.now();
        for (const row of rows) await queues.enqueueOutbound('telegram', row.id, row.thread_id);
        await waitFor('both rows sent', async () => {
          const statuses = await t.db
            .selectFrom('outbox')
            .select('status')
            .where(
              'id',
              'in',
              rows.map((x) => x.id),
            )
            .execute();
          return statuses.every((s) => s.status === 'sent');
        });
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
        expect(sentTexts(api)).toEqual(['first', 'first', 'second']);
      },
    );
  });

  it('resumes a long reply after the last chunk sent: no chunk twice, none lost', async () => {
    const text = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    const [row] = await outboxFor('telegram:-702', [text]);
    let calls = 0;
    await withEgress(
      kind,
      (body, all) => {
        calls++;
        if (calls === 2)
          return {
            status: 500,
            json: { ok: false, error_code: 500, description: 'Internal Server Error' },
          };
        return sent(body, all);
      },
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await rowSent(row!.id);
        const texts = sentTexts(api);
        expect(texts).toHaveLength(4); // 3 chunks + one failed attempt of the second
        expect(texts[1]).toBe(texts[2]);
        const delivered = [texts[0], texts[2], texts[3]].join(' ').split(' ');
        expect(delivered).toEqual(text.split(' '));
        const saved = await t.db
          .selectFrom('outbox')
          .selectAll()
          .where('id', '=', row!.id)
          .executeTakeFirstOrThrow();
        expect(saved.platform_message_ids).toHaveLength(3);
        expect(saved.attempts).toBe(2);
      },
    );
  });

  it("rewrites a reply with the plugins' outbound hooks once: a retry sends the stored text", async () => {
    const [row] = await outboxFor('telegram:-704', ['hello']);
    let hooked = 0;
    const plugins = new PluginHost(
      [
        {
          name: 'counter',
          entry: 'counter',
          instance: { onOutbound: ({ text }) => `${text} #${++hooked}` },
        },
      ],
      { logger: pino({ level: 'silent' }) },
    );
    let calls = 0;
    await withEgress(
      kind,
      (body, all) =>
        ++calls === 1
          ? {
              status: 500,
              json: { ok: false, error_code: 500, description: 'Internal Server Error' },
            }
          : sent(body, all),
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await waitFor('the rewritten reply sent', () => sentTexts(api).length === 2, 15_000);
        expect(sentTexts(api)).toEqual(['hello #1', 'hello #1']);
        expect(hooked).toBe(1);
        const saved = await t.db
          .selectFrom('outbox')
          .select('payload')
          .where('id', '=', row!.id)
          .executeTakeFirstOrThrow();
        expect(saved.payload).toEqual({ text: 'hello #1', replyTo: null, transformed: true });
      },
      { plugins },
    );
  });

  it('uploads a document row as one file with its caption, after a 429, and marks it sent', async () => {
    const thread = await registerThread(t.db, { jid: 'telegram:-705' });
    const content = `${'a line of the export ✓\n'.repeat(5_000)}`;
    const row = await insertOutbox(t.db, {
      threadId: thread.id,
      runId: null,
      channel: 'telegram',
      jid: 'telegram:-705',
      text: 'History of this chat',
      replyTo: '55',
      document: { fileName: 'history.md', mimeType: 'text/markdown', content },
    });
    let uploads = 0;
    const sendDocument: FakeMethod = (body, all) =>
      ++uploads === 1
        ? {
            status: 429,
            json: {
              ok: false,
              error_code: 429,
              description: 'Too Many Requests: retry after 1',
              parameters: { retry_after: 1 },
            },
          }
        : sent(body, all);
    await withEgress(
      kind,
      sent,
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row.id, row.thread_id);
        await waitFor(
          'the document sent',
          async () =>
            (
              await t.db
                .selectFrom('outbox')
                .select('status')
                .where('id', '=', row.id)
                .executeTakeFirst()
            )?.status === 'sent',
          15_000,
        );
        const calls = api.calls.filter((c) => c.method === 'sendDocument');
        expect(calls).toHaveLength(2);
        const file = calls[1]!.body.document as FormFile;
        expect(file).toMatchObject({ name: 'history.md', text: content });
        expect(calls[1]!.body.caption).toBe('History of this chat');
        expect(JSON.parse(String(calls[1]!.body.reply_parameters))).toMatchObject({
          message_id: 55,
        });
        expect(sentTexts(api)).toEqual([]);
      },
      { others: { sendDocument } },
    );
  });

  it('turns a recorded placeholder into the first chunk, again after a crash, and sends only the rest', async () => {
    const text = Array.from({ length: 1500 }, (_, i) => `p${i}`).join(' ');
    const [row] = await outboxFor('telegram:-706', [text]);
    // A gateway took the placeholder and recorded it, then died before (or after) editing it.
    await setOutboxPlaceholder(t.db, row!.id, '4711');
    expect(await setOutboxPlaceholder(t.db, row!.id, '4712')).toBe(false);
    const edited: FakeMethod = (body) =>
      body.message_id === 4711
        ? {
            json: {
              ok: true,
              result: {
                message_id: 4711,
                date: 0,
                chat: { id: -706, type: 'group' },
                text: body.text,
              },
            },
          }
        : {
            status: 400,
            json: {
              ok: false,
              error_code: 400,
              description: 'Bad Request: message to edit not found',
            },
          };
    await withEgress(
      kind,
      sent,
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await rowSent(row!.id);
        const edits = api.calls.filter((c) => c.method === 'editMessageText');
        expect(edits).toHaveLength(1);
        expect(edits[0]!.body.message_id).toBe(4711);
        const first = String(edits[0]!.body.text);
        const rest = sentTexts(api);
        expect(rest).toHaveLength(1);
        expect([first, ...rest].join(' ').split(' ')).toEqual(text.split(' '));
        const saved = await t.db
          .selectFrom('outbox')
          .select('platform_message_ids')
          .where('id', '=', row!.id)
          .executeTakeFirstOrThrow();
        expect(saved.platform_message_ids[0]).toBe('4711');
      },
      { others: { editMessageText: edited } },
    );
  });

  it('skips a row already sent', async () => {
    const [row] = await outboxFor('telegram:-703', ['once']);
    await t.db.updateTable('outbox').set({ status: 'sent' }).where('id', '=', row!.id).execute();
    await withEgress(kind, sent, async (api, queues) => {
      await queues.enqueueOutbound('telegram', row!.id);
      await waitFor(
        'the job to complete',
        async () => (await queues.queue('outbound-telegram').getCompletedCount()) > 0,
      );
      expect(sentTexts(api)).toEqual([]);
    });
  });

  it('fails a reply the platform refuses for good (403) at once, with the reason, after one try', async () => {
    const [row] = await outboxFor('telegram:-705', ['you blocked me']);
    await withEgress(
      kind,
      () => ({
        status: 403,
        json: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      }),
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        const failed = async () =>
          t.db
            .selectFrom('outbox')
            .select(['status', 'error', 'attempts'])
            .where('id', '=', row!.id)
            .executeTakeFirstOrThrow();
        await waitFor('the row failed', async () => (await failed()).status === 'failed');
        expect(await failed()).toEqual({
          status: 'failed',
          error: 'telegram refused the message: Forbidden: bot was blocked by the user',
          attempts: 1,
        });
        expect(sentTexts(api)).toEqual(['you blocked me']);
      },
    );
  });
});
