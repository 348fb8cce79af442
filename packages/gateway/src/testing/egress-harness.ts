import { TelegramAdapter } from '@gridbot/channels/telegram';
import { insertOutbox, registerThread } from '@gridbot/db';
import { PipelineQueues } from '@gridbot/queue';
import { createMetrics } from '@gridbot/service';
import pino from 'pino';
import {
  type FakeBotApi,
  type FakeMethod,
  startFakeBotApi,
} from '../../../../tests/support/fake-bot-api.ts';
import type { TestDatabase } from '../../../../tests/support/test-database.ts';
import {
  createTestTransport,
  type TransportKind,
} from '../../../../tests/support/test-transport.ts';
import { waitFor } from '../../../../tests/support/wait-for.ts';
import { Egress } from '../egress.ts';
import type { PluginHost } from '../plugins/plugin-host.ts';

/** An Egress on a Telegram adapter against a fake Bot API, over a test database. */
export function egressHarness(t: TestDatabase) {
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

  /** The platform message ids egress recorded on the row. */
  const recordedIds = async (id: number) =>
    (
      await t.db
        .selectFrom('outbox')
        .select('platform_message_ids')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).platform_message_ids;

  return { withEgress, sent, outboxFor, rowSent, sentTexts, recordedIds };
}
