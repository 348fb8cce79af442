import { randomUUID } from 'node:crypto';
import { asJid } from '@gridbot/core';
import { afterAll } from 'vitest';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import {
  createTestTransport,
  type TestTransport,
  TRANSPORT_KINDS,
} from '../../../../tests/support/test-transport.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { WebAdapter } from './web-adapter.ts';
import type { WebReply } from './web-update.ts';

const BOT_NAME = 'Andy';
const nextId = () => `m-${randomUUID()}`;
const person = { id: 'operator', name: 'Operator' };

let database: Promise<TestDatabase> | null = null;
afterAll(async () => {
  await (await database)?.drop();
});

/**
 * The web "platform" is the install's pub/sub (Redis, or Postgres LISTEN/NOTIFY): `sent()`
 * is what a second dashboard's subscription saw.
 */
for (const kind of TRANSPORT_KINDS)
  describeChannelAdapterContract(`WebAdapter (${kind} pub/sub)`, async (onEvent) => {
    database ??= createTestDatabase();
    const t = await database;
    // Two processes' transports: the adapter's, and the observing dashboard's.
    const [own, other]: TestTransport[] = await Promise.all([
      createTestTransport(kind, t),
      createTestTransport(kind, t),
    ]);
    const prefix = own!.prefix;
    const topic = `${prefix}:web:replies`;
    const seen: WebReply[] = [];
    let flushed: (() => void) | null = null;
    const unsubscribe = await other!.transport.pubsub.subscribe(topic, (raw) => {
      if (raw === 'flush') flushed?.();
      else seen.push(JSON.parse(raw));
    });
    const adapter = new WebAdapter({
      bus: own!.transport.pubsub,
      prefix,
      assistantName: BOT_NAME,
      logger: captureLogger().logger,
    });
    await adapter.start(onEvent);
    const groupJid = asJid('web:team-room');
    const message = (text: string, extra: Record<string, unknown> = {}) => ({
      type: 'message',
      chatId: 'team-room',
      isGroup: true,
      messageId: nextId(),
      from: person,
      text,
      ...extra,
    });
    return {
      adapter,
      botId: 'assistant',
      groupJid,
      sampleMessageId: 'a-sample',
      updates: {
        groupText: (text) => message(text),
        directText: (text) => message(text, { chatId: 'operator-1', isGroup: false }),
        mentioningBot: (text) => message(`@${BOT_NAME} ${text}`),
        replyToBot: (text, id) => message(text, { replyTo: { messageId: id, fromBot: true } }),
        edit: (text) => {
          const messageId = nextId();
          return {
            update: { type: 'edit', chatId: 'team-room', isGroup: true, messageId, text },
            platformMessageId: messageId,
          };
        },
        fromBot: (text) => message(text, { from: { ...person, isBot: true } }),
        press: (messageId, data) => ({
          type: 'action',
          chatId: 'team-room',
          isGroup: true,
          actionId: nextId(),
          messageId,
          from: person,
          data,
        }),
        malformed: () => [
          { type: 'message' },
          message('no id', { messageId: undefined }),
          message('bad chat', { chatId: 'has spaces' }),
          message('', {}),
          message('no sender', { from: undefined }),
          { ...message('unknown type'), type: 'reaction' },
        ],
      },
      sent: async () => {
        // Pub/sub is asynchronous: a marker published after the replies arrives after them.
        const arrived = new Promise<void>((resolve) => {
          flushed = resolve;
        });
        await own!.transport.pubsub.publish(topic, 'flush');
        await arrived;
        return seen.map(
          (reply): ContractSentMessage => ({
            jid: reply.jid,
            text: reply.text,
            replyTo: reply.replyTo,
            messageId: reply.messageId,
            ...(reply.actions && { actions: reply.actions.map((action) => action.id) }),
            // The page fetches a file's content from the dashboard, by its id.
            ...(reply.document && {
              document: { fileName: reply.document.fileName, content: null },
            }),
          }),
        );
      },
      close: async () => {
        await adapter.stop();
        await unsubscribe();
        await Promise.all([own!.close(), other!.close()]);
      },
    };
  });
