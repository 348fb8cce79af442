import type { InboundDelivery } from '@gridbot/core';
import { type Database, recordDeliveryReceipt } from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';

/**
 * Records a platform's receipt (WhatsApp's `sent`, `delivered`, `read`, `failed`) on the
 * outbox row that sent the message. A failure is logged as a warning with the platform's
 * reason, so the operator learns of a reply that never arrived; a receipt for a message
 * GridBot did not send (or whose send is not committed yet) changes nothing.
 */
export async function recordDelivery(
  db: Kysely<Database>,
  receipt: InboundDelivery,
  logger: Logger,
): Promise<'delivery-recorded' | 'delivery-unknown'> {
  const outboxId = await recordDeliveryReceipt(db, {
    channel: receipt.channel,
    platformMessageId: receipt.platformMessageId,
    status: receipt.status,
    error: receipt.error,
    at: receipt.at,
  });
  const fields = {
    outboxId,
    jid: receipt.chat.jid,
    platformMessageId: receipt.platformMessageId,
    status: receipt.status,
  };
  if (receipt.status === 'failed') {
    logger.warn(
      { ...fields, reason: receipt.error },
      `the platform could not deliver a reply: ${receipt.error ?? 'no reason given'}`,
    );
  }
  if (outboxId === null) {
    logger.debug(fields, 'receipt for a message no outbox row sent');
    return 'delivery-unknown';
  }
  return 'delivery-recorded';
}
