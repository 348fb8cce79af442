import { setOutboxPlaceholder } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMethod } from '../../../tests/support/fake-bot-api.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { TRANSPORT_KINDS } from '../../../tests/support/test-transport.ts';
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

/** A streamed reply's placeholder message, as egress turns it into the reply. */
describe.each(TRANSPORT_KINDS)('Egress and placeholders (queues on %s)', (kind) => {
  it('turns a recorded placeholder into the first chunk, again after a crash, and sends only the rest', async () => {
    const text = Array.from({ length: 1500 }, (_, i) => `p${i}`).join(' ');
    const [row] = await h.outboxFor('telegram:-706', [text]);
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
    await h.withEgress(
      kind,
      h.sent,
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await h.rowSent(row!.id);
        const edits = api.calls.filter((c) => c.method === 'editMessageText');
        expect(edits).toHaveLength(1);
        expect(edits[0]!.body.message_id).toBe(4711);
        const first = String(edits[0]!.body.text);
        const rest = h.sentTexts(api);
        expect(rest).toHaveLength(1);
        expect([first, ...rest].join(' ').split(' ')).toEqual(text.split(' '));
        const saved = await h.recordedIds(row!.id);
        expect(saved[0]).toBe('4711');
      },
      { others: { editMessageText: edited } },
    );
  });

  it('sends the reply as a new message when its placeholder was deleted meanwhile', async () => {
    const [row] = await h.outboxFor('telegram:-707', ['the whole reply']);
    await setOutboxPlaceholder(t.db, row!.id, '4800');
    const gone: FakeMethod = () => ({
      status: 400,
      json: { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' },
    });
    await h.withEgress(
      kind,
      h.sent,
      async (api, queues) => {
        await queues.enqueueOutbound('telegram', row!.id);
        await h.rowSent(row!.id);
        expect(api.calls.filter((c) => c.method === 'editMessageText')).toHaveLength(1);
        expect(h.sentTexts(api)).toEqual(['the whole reply']);
        const saved = await h.recordedIds(row!.id);
        expect(saved).toHaveLength(1);
        expect(saved[0]).not.toBe('4800');
      },
      { others: { editMessageText: gone } },
    );
  });
});
