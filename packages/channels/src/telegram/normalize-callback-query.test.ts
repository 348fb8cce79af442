import { describe, expect, it } from 'vitest';
import type { BotIdentity } from '../channel-adapter.ts';
import { type NormalizeResult, normalizeTelegramUpdate } from './normalize-update.ts';

const bot: BotIdentity = { id: '666', username: 'GridTestBot' };
const alice = {
  id: 42,
  is_bot: false,
  first_name: 'Alice',
  last_name: 'Liddell',
  username: 'alice',
};
const group = { id: -100123, type: 'supergroup', title: 'Tea party' };

function event(result: NormalizeResult) {
  if (result.outcome !== 'event')
    throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('normalizeTelegramUpdate, callback_query', () => {
  it('turns a press on an inline button into an InboundAction', () => {
    const pressed = {
      update_id: 30,
      callback_query: {
        id: '4711',
        from: alice,
        message: { message_id: 9, date: 1_700_000_000, chat: group, text: 'Approval needed' },
        data: 'approve:3',
      },
    };
    expect(event(normalizeTelegramUpdate(pressed, bot))).toEqual({
      kind: 'action',
      channel: 'telegram',
      chat: {
        jid: 'telegram:-100123',
        platformChatId: '-100123',
        title: 'Tea party',
        isGroup: true,
      },
      sender: { platformUserId: '42', name: 'Alice Liddell', username: 'alice', isBot: false },
      actionId: '4711',
      actionToken: null,
      platformMessageId: '9',
      data: 'approve:3',
    });
  });

  it('says what is wrong with a malformed press', () => {
    const result = normalizeTelegramUpdate(
      { update_id: 31, callback_query: { id: '1', from: alice, message: { chat: group } } },
      bot,
    );
    expect(result).toEqual({
      outcome: 'invalid',
      updateId: 31,
      reason: 'callback_query.message.message_id is missing or not an integer',
    });
  });
});
