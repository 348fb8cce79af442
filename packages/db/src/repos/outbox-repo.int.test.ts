import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import { insertOutbox, recordChunkSent, recordDeliveryReceipt } from './outbox-repo.ts';
import { registerThread } from './threads-repo.ts';

let t: TestDatabase;
let threadId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  threadId = (await registerThread(t.db, { jid: 'whatsapp:4915112345678' })).id;
});
afterAll(async () => {
  await t?.drop();
});

async function sentRow(ids: string[], channel = 'whatsapp') {
  const row = await insertOutbox(t.db, {
    threadId,
    runId: null,
    channel,
    jid: 'whatsapp:4915112345678',
    text: 'a reply',
    replyTo: null,
  });
  for (const id of ids) await recordChunkSent(t.db, row.id, id);
  return row.id;
}

const receipt = (platformMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed') => ({
  channel: 'whatsapp',
  platformMessageId,
  status,
  error: status === 'failed' ? 'Message undeliverable (code 131026)' : null,
  at: new Date(),
});

const deliveryOf = (id: number) =>
  t.db
    .selectFrom('outbox')
    .select(['delivery_status', 'delivery_error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('recordDeliveryReceipt', () => {
  it('finds the row by any of its messages and only moves its status on', async () => {
    const id = await sentRow(['wamid.A1', 'wamid.A2']);
    expect(await recordDeliveryReceipt(t.db, receipt('wamid.A2', 'delivered'))).toBe(id);
    expect(await recordDeliveryReceipt(t.db, receipt('wamid.A1', 'sent'))).toBe(id);
    expect(await deliveryOf(id)).toEqual({ delivery_status: 'delivered', delivery_error: null });
    await recordDeliveryReceipt(t.db, receipt('wamid.A1', 'read'));
    expect((await deliveryOf(id)).delivery_status).toBe('read');
  });

  it('keeps a failure once one message of the row failed', async () => {
    const id = await sentRow(['wamid.B1', 'wamid.B2']);
    await recordDeliveryReceipt(t.db, receipt('wamid.B1', 'failed'));
    await recordDeliveryReceipt(t.db, receipt('wamid.B2', 'read'));
    expect(await deliveryOf(id)).toEqual({
      delivery_status: 'failed',
      delivery_error: 'Message undeliverable (code 131026)',
    });
  });

  it('returns null for a message no row sent, or another channel’s', async () => {
    await sentRow(['shared-id'], 'telegram');
    expect(await recordDeliveryReceipt(t.db, receipt('wamid.UNKNOWN', 'read'))).toBeNull();
    expect(await recordDeliveryReceipt(t.db, receipt('shared-id', 'read'))).toBeNull();
  });
});
