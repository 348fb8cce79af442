import { insertOutbox, registerThread } from '@gridbot/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMethod } from '../../../tests/support/fake-bot-api.ts';
import type { FormFile } from '../../../tests/support/multipart.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { TRANSPORT_KINDS } from '../../../tests/support/test-transport.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { PluginHost } from './plugins/plugin-host.ts';
import { egressHarness } from './testing/egress-harness.ts';

let t: TestDatabase;
let h: ReturnType<typeof egressHarness>;
beforeAll(async () => {
  t = await createTestDatabase();
  h = egressHarness(t);
});
afterAll(async () => {
  await t?.drop();
});

describe.each(TRANSPORT_KINDS)('Egress (queues on %s)', (kind) => {
  it('sends to several chats at once, yet keeps each chat’s replies in order', async () => {
    const slowChat = await h.outboxFor('telegram:-711', ['slow 1', 'slow 2', 'slow 3']);
    const fastChat = await h.outboxFor('telegram:-712', ['fast 1', 'fast 2']);
    await h.withEgress(
      kind,
      (body, all) => ({
        ...(h.sent(body, all) as { json: unknown }),
        // The first reply of the slow chat takes long at the platform.
        delayMs: body.text === 'slow 1' ? 400 : 0,
      }),
      async (api, queues) => {
        for (const row of [...slowChat, ...fastChat]) {
          await queues.enqueueOutbound('telegram', row.id, row.thread_id);
        }
        await waitFor('every reply sent', () => h.sentTexts(api).length === 5);
        const order = h.sentTexts(api);
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
    const rows = await h.outboxFor('telegram:-701', ['first', 'second']);
    await h.withEgress(
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
        return h.sent(body, all);
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
        expect(h.sentTexts(api)).toEqual(['first', 'first', 'second']);
      },
    );
  });

  it('resumes a long reply after the last chunk sent: no chunk twice, none lost', async () => {
    const text = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    const [row] = await h.outboxFor('telegram:-702', [text]);
    let calls = 0;
    await h.withEgress(
      kind,
      (body, all) => {
        calls++;
        if (calls === 2)
          return {
            status: 500,
            json: { ok: false, error_code: 500, description: 'Internal Server Error' },
          };
        return h.sent(body, all);
      },
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await h.rowSent(row!.id);
        const texts = h.sentTexts(api);
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
    const [row] = await h.outboxFor('telegram:-704', ['hello']);
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
    await h.withEgress(
      kind,
      (body, all) =>
        ++calls === 1
          ? {
              status: 500,
              json: { ok: false, error_code: 500, description: 'Internal Server Error' },
            }
          : h.sent(body, all),
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await waitFor('the rewritten reply sent', () => h.sentTexts(api).length === 2, 15_000);
        expect(h.sentTexts(api)).toEqual(['hello #1', 'hello #1']);
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
        : h.sent(body, all);
    await h.withEgress(
      kind,
      h.sent,
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
        expect(h.sentTexts(api)).toEqual([]);
      },
      { others: { sendDocument } },
    );
  });

  it('skips a row already sent', async () => {
    const [row] = await h.outboxFor('telegram:-703', ['once']);
    await t.db.updateTable('outbox').set({ status: 'sent' }).where('id', '=', row!.id).execute();
    await h.withEgress(kind, h.sent, async (api, queues) => {
      await queues.enqueueOutbound('telegram', row!.id);
      await waitFor(
        'the job to complete',
        async () => (await queues.queue('outbound-telegram').getCompletedCount()) > 0,
      );
      expect(h.sentTexts(api)).toEqual([]);
    });
  });

  it('fails a reply the platform refuses for good (403) at once, with the reason, after one try', async () => {
    const [row] = await h.outboxFor('telegram:-705', ['you blocked me']);
    await h.withEgress(
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
        expect(h.sentTexts(api)).toEqual(['you blocked me']);
      },
    );
  });
});
