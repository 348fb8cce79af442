import { randomUUID } from 'node:crypto';
import { asJid } from '@gridbot/core';
import { Redis } from 'ioredis';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { TEST_REDIS_URL } from '../../../../tests/support/services.ts';
import { createTestRedis } from '../../../../tests/support/test-redis.ts';
import {
  type ContractSentMessage,
  describeChannelAdapterContract,
} from '../channel-adapter.contract.ts';
import { WebAdapter } from './web-adapter.ts';
import type { WebReply } from './web-update.ts';

const BOT_NAME = 'Andy';
const nextId = () => `m-${randomUUID()}`;
const person = { id: 'operator', name: 'Operator' };

/** The web "platform" is Redis pub/sub: `sent()` is what a second dashboard's subscriber saw. */
describeChannelAdapterContract('WebAdapter (Redis pub/sub)', async (onEvent) => {
  const testRedis = createTestRedis();
  const publisher = new Redis(TEST_REDIS_URL);
  const subscriber = new Redis(TEST_REDIS_URL);
  const observer = new Redis(TEST_REDIS_URL);
  const seen: WebReply[] = [];
  await observer.subscribe(`${testRedis.prefix}:web:replies`);
  observer.on('message', (_topic: string, raw: string) => seen.push(JSON.parse(raw)));
  const adapter = new WebAdapter({
    publisher,
    subscriber,
    prefix: testRedis.prefix,
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
      // Pub/sub is asynchronous: a PING on the observer returns after earlier messages.
      await observer.call('PING');
      return seen.map(
        (reply): ContractSentMessage => ({
          jid: reply.jid,
          text: reply.text,
          replyTo: reply.replyTo,
          messageId: reply.messageId,
        }),
      );
    },
    close: async () => {
      await adapter.stop();
      for (const connection of [publisher, subscriber, observer]) connection.disconnect();
      await testRedis.cleanup();
    },
  };
});
